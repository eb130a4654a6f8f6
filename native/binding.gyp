{
  "targets": [
    {
      "target_name": "berth_sys",
      "sources": ["berth_sys.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lpthread"]
    }
  ]
}
