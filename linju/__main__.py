from linju.cli import main

main()
