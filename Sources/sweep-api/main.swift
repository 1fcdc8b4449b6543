print("sweep-api: not yet wired")
