"""The decisions pages: public, console, and printing (PDFs, exports, paper entry)."""
