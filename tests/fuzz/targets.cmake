# The fuzz targets (tests/fuzz/fuzz_NAME.cpp, corpus in tests/fuzz/corpus/NAME/).
set(FOVEA_FUZZ_TARGETS safetensors torch_checkpoint zip unpickle idx cifar folder_scan image_decode)
