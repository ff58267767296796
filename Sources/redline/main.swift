print("redline")
