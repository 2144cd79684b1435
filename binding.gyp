{
  "targets": [
    {
      "target_name": "mtcp_tap",
      "sources": ["native/tap.c", "native/uring.c", "native/vnet.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
