"""treadmill"""
