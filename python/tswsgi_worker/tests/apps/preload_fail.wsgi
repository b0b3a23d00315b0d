raise ImportError("preload boom")
