// Accessors for HDF5 macros that Swift cannot import (they expand to globals set up by H5open or to
// typed constants), following swift-numerics' _NumericsShims pattern.
#include <hdf5.h>

static inline hid_t spikeloop_h5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t spikeloop_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t spikeloop_h5_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t spikeloop_h5_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t spikeloop_h5_std_u16le(void) { return H5T_STD_U16LE; }
static inline hid_t spikeloop_h5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t spikeloop_h5_c_s1(void) { return H5T_C_S1; }
static inline hid_t spikeloop_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t spikeloop_h5s_all(void) { return H5S_ALL; }
static inline unsigned spikeloop_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned spikeloop_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline size_t spikeloop_h5t_variable(void) { return H5T_VARIABLE; }
static inline void spikeloop_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
// Used by SpikeHDF5 (NIR files): 64-bit types, dataset-creation property lists and the scalar dataspace.
static inline hid_t spikeloop_h5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t spikeloop_h5_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t spikeloop_h5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t spikeloop_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline unsigned spikeloop_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
