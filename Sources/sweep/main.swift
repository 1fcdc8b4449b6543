print("sweep 0.1.0")
