module keybuzz-platform/images

go 1.26
