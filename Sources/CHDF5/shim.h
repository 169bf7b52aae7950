// Accessors for HDF5 macros that Swift cannot import (they expand to globals set up by H5open or to
// typed constants), following swift-numerics' _NumericsShims pattern.
#include <hdf5.h>

static inline hid_t spikeloop_h5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t spikeloop_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t spikeloop_h5_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t spikeloop_h5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t spikeloop_h5_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t spikeloop_h5_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t spikeloop_h5_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t spikeloop_h5_std_u16le(void) { return H5T_STD_U16LE; }
static inline hid_t spikeloop_h5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t spikeloop_h5_c_s1(void) { return H5T_C_S1; }
static inline hid_t spikeloop_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t spikeloop_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t spikeloop_h5s_all(void) { return H5S_ALL; }
static inline unsigned spikeloop_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned spikeloop_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline size_t spikeloop_h5t_variable(void) { return H5T_VARIABLE; }
static inline void spikeloop_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
// Used by SpikeHDF5 (NIR files): 64-bit file types.
static inline hid_t spikeloop_h5_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t spikeloop_h5_ieee_f64le(void) { return H5T_IEEE_F64LE; }

// ---------------------------------------------------------------------------------------------------------------
// Isolated structure probe. HDF5 1.10 trusts the sizes in a file's metadata (local heaps, B-tree nodes, object
// headers): a corrupt file can make it copy into a NULL or undersized buffer inside H5Dopen2 and kill the process,
// which no check in Swift can intercept. SHDFile therefore first walks the same metadata in a forked child: if the
// child dies, the file is reported as corrupt and the parent never touches it. Only C runs in the child.
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline void spikeloop_h5_probe_dataset(hid_t f, const char *group, const char *name, unsigned long long max_rows) {
    if (group && H5Lexists(f, group, H5P_DEFAULT) <= 0) return;
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return;
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) return;
    hid_t t = H5Dget_type(d);
    if (t >= 0) {
        if (H5Tget_class(t) == H5T_VLEN) {
            hid_t b = H5Tget_super(t);
            if (b >= 0) H5Tclose(b);
        }
        H5Tclose(t);
    }
    hsize_t n = 0;
    hid_t s = H5Dget_space(d);
    int rank = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    if (rank == 1) H5Sget_simple_extent_dims(s, &n, NULL);
    if (s >= 0) H5Sclose(s);
    hid_t p = H5Dget_create_plist(d);
    if (p >= 0) {
        hsize_t rows = 0;
        if (H5Pget_layout(p) == H5D_CHUNKED && rank == 1 && n <= max_rows && H5Pget_chunk(p, 1, &rows) == 1 && rows > 0) {
            for (hsize_t c = 0; c < n; c += rows) {
                hsize_t offset = c, bytes = 0;
                H5Dget_chunk_storage_size(d, &offset, &bytes);
            }
        }
        H5Pclose(p);
    }
    (void)H5Dget_storage_size(d);
    (void)H5Dget_offset(d);
    H5Dclose(d);
}

/// Opens `path` and touches every piece of metadata that SHDFile will use.
static inline void spikeloop_h5_probe_shd(const char *path, unsigned long long max_rows) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return;
    hid_t fcpl = H5Fget_create_plist(f);
    if (fcpl >= 0) H5Pclose(fcpl);
    spikeloop_h5_probe_dataset(f, "spikes", "spikes/times", max_rows);
    spikeloop_h5_probe_dataset(f, "spikes", "spikes/units", max_rows);
    spikeloop_h5_probe_dataset(f, NULL, "labels", max_rows);
    spikeloop_h5_probe_dataset(f, "extra", "extra/speaker", max_rows);
    H5Fclose(f);
}

/// Runs the probe in a child process. Returns 0 when the child finished, the signal number when it was killed
/// (a crash inside HDF5), -1 when it ran past `timeout_s` (a hang; the child is killed), -2 when fork failed.
static inline int spikeloop_h5_probe_isolated(const char *path, unsigned long long max_rows, unsigned timeout_s) {
    pid_t pid = fork();
    if (pid < 0) return -2;
    if (pid == 0) {
        // The parent's crash handlers (the Swift runtime's backtracer) must not run here: die plainly.
        int fatal[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGALRM};
        for (unsigned k = 0; k < sizeof fatal / sizeof fatal[0]; k++) signal(fatal[k], SIG_DFL);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        alarm(timeout_s);
        spikeloop_h5_probe_shd(path, max_rows);
        _exit(0);
    }
    struct timespec nap = {0, 200000};
    unsigned long long waited_us = 0;
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGALRM ? -1 : WTERMSIG(status);
            return 0;
        }
        if (r < 0 && errno != EINTR) return -2;
        if (waited_us > (unsigned long long)timeout_s * 1000000ULL + 1000000ULL) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        nanosleep(&nap, NULL);
        waited_us += 200;
    }
}
