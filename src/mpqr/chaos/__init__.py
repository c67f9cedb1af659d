"""``mpqr chaos``: a hostile day for the seller server, and the truth it is judged against."""
