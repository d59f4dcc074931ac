"""ftms"""
