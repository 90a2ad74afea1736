"""Building-group projects (美丽楼组): the road from first idea to acceptance and showcase."""
