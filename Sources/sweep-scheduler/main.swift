print("sweep-scheduler: not yet wired")
