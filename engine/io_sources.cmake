# The plain C++ part of the engine (parsers, files; no LibTorch), listed once: engine/CMakeLists.txt
# builds it as fovea_engine_io, and tests/fuzz/CMakeLists.txt compiles it with clang's sanitizers.
set(FOVEA_ENGINE_IO_SOURCES)
foreach(source IN ITEMS
    errors.h
    io/atomic_file.h io/atomic_file.cpp
    io/file_bytes.h io/file_bytes.cpp
    io/safetensors.h io/safetensors.cpp
    io/printable.h io/printable.cpp
    io/zip_reader.h io/zip_reader.cpp
    io/pickle_value.h io/pickle_value.cpp
    io/pickle.h io/pickle.cpp
    io/pickle_access.h io/pickle_access.cpp
    io/pickle_globals.h io/pickle_globals.cpp
    io/pickle_text.h io/pickle_text.cpp
    io/torch_checkpoint.h io/torch_checkpoint.cpp
    io/torch_state_dict.h io/torch_state_dict.cpp
    data/labelled_images.h
    data/idx_reader.h data/idx_reader.cpp
    data/cifar_reader.h data/cifar_reader.cpp
    data/cifar_python.h data/cifar_python.cpp
    data/image_file_list.h data/image_file_list.cpp
    data/image_folder_scan.h data/image_folder_scan.cpp
    data/imagenet_labels.h data/imagenet_labels.cpp
    data/dataset_info.h data/dataset_probe.cpp
    data/probe_util.h data/probe_util.cpp
    data/cifar_probe.cpp data/image_folder_probe.cpp
    data/image_header.h data/image_header.cpp
    data/bgr_decode.h data/bgr_decode.cpp
    data/jpeg_rgb_decode.h data/jpeg_rgb_decode.cpp
    data/rgb_decode.h data/rgb_decode.cpp
    data/image_decode.h data/image_decode.cpp
    job.h job.cpp observer.h
    train_config.h train_config.cpp
  )
  list(APPEND FOVEA_ENGINE_IO_SOURCES "${CMAKE_CURRENT_LIST_DIR}/${source}")
endforeach()
