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
// which no check in Swift can intercept. SHDFile and HDF5File therefore first walk the same metadata (HDF5File: read
// every dataset) in a forked child: if the child dies, the file is reported as corrupt and the parent never touches
// it. Only C runs in the child.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
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

/// Set by the probe when HDF5 failed to allocate memory (its error stack holds an H5E_RESOURCE error).
static int spikeloop_h5_probe_out_of_memory = 0;

static inline herr_t spikeloop_h5_probe_error_walk(unsigned n, const H5E_error2_t *e, void *found) {
    (void)n;
    if (e->maj_num == H5E_RESOURCE) *(int *)found = 1;
    return 0;
}

/// A failed read: records whether HDF5 ran out of memory (the probe's address-space limit), which a file with a
/// forged variable-length size causes.
static inline void spikeloop_h5_probe_read_failed(void) {
    int found = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, spikeloop_h5_probe_error_walk, &found);
    if (found) spikeloop_h5_probe_out_of_memory = 1;
}

/// Reads one dataset completely, as the readers of SpikeHDF5 will (numbers as double, strings variable- or
/// fixed-length); datasets of more than `max_elements` elements are left alone (the readers refuse them).
static inline void spikeloop_h5_probe_read(hid_t d, unsigned long long max_elements) {
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    if (t < 0 || s < 0) goto done;
    int rank = H5Sget_simple_extent_ndims(s);
    if (rank < 0 || rank > 32) goto done;
    hsize_t dims[32];
    H5Sget_simple_extent_dims(s, dims, NULL);
    unsigned long long n = 1;
    for (int k = 0; k < rank; k++) {
        if (dims[k] != 0 && n > max_elements / dims[k]) goto done;
        n *= dims[k];
    }
    if (n == 0 || n > max_elements) goto done;
    H5T_class_t c = H5Tget_class(t);
    if (c == H5T_INTEGER || c == H5T_FLOAT) {
        double *buf = (double *)malloc(n * sizeof(double));
        if (buf) {
            if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) spikeloop_h5_probe_read_failed();
            free(buf);
        }
    } else if (c == H5T_STRING) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        if (H5Tis_variable_str(t) > 0) {
            H5Tset_size(mem, H5T_VARIABLE);
            H5Tset_cset(mem, H5Tget_cset(t));
            char **ptrs = (char **)calloc(n, sizeof(char *));
            if (ptrs && H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs) >= 0) {
                for (unsigned long long k = 0; k < n; k++) free(ptrs[k]);
            } else if (ptrs) {
                spikeloop_h5_probe_read_failed();
            }
            free(ptrs);
        } else {
            size_t size = H5Tget_size(t);
            H5Tset_size(mem, size);
            if (size > 0 && n <= max_elements / size) {
                char *buf = (char *)malloc(n * size + 1);
                if (buf) {
                    if (H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) spikeloop_h5_probe_read_failed();
                    free(buf);
                }
            }
        }
        H5Tclose(mem);
    }
done:
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
}

/// Opens every member of group `g` as the readers do (by index in name order, by name), reads every dataset and
/// descends into sub-groups; failures skip the member and go on, so one damaged object cannot hide the others.
/// `budget` bounds the objects visited (links may form loops in a corrupt file).
static inline void spikeloop_h5_probe_group(hid_t g, int depth, unsigned long long max_elements, long *budget) {
    H5G_info_t gi;
    if (depth > 32 || H5Gget_info(g, &gi) < 0) return;
    for (hsize_t k = 0; k < gi.nlinks && *budget > 0; k++, (*budget)--) {
        char name[1024];
        ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, k, NULL, 0, H5P_DEFAULT);
        if (n < 0 || n >= (ssize_t)sizeof name) continue;
        H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, k, name, sizeof name, H5P_DEFAULT);
        if (H5Lexists(g, name, H5P_DEFAULT) <= 0) continue;
        hid_t o = H5Oopen(g, name, H5P_DEFAULT);
        if (o < 0) continue;
        H5I_type_t type = H5Iget_type(o);
        H5Oclose(o);
        if (type == H5I_GROUP) {
            hid_t sub = H5Gopen2(g, name, H5P_DEFAULT);
            if (sub >= 0) {
                spikeloop_h5_probe_group(sub, depth + 1, max_elements, budget);
                H5Gclose(sub);
            }
        } else if (type == H5I_DATASET) {
            hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
            if (d >= 0) {
                spikeloop_h5_probe_read(d, max_elements);
                H5Dclose(d);
            }
        }
    }
}

/// The process's current address-space size in bytes (0 when /proc is unreadable).
static inline unsigned long long spikeloop_h5_probe_address_space(void) {
    unsigned long long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%llu", &pages) != 1) pages = 0;
    fclose(f);
    return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/// Opens `path` and reads every object in it: what HDF5File-based readers (NIR) may touch. The address space may
/// grow by the datasets' budget (8 bytes × `max_elements`) plus 256 MiB: a forged variable-length size makes HDF5
/// allocate what the descriptor claims, which then fails here and is reported (exit status 3) instead of being
/// allocated in the parent.
static inline void spikeloop_h5_probe_everything(const char *path, unsigned long long max_elements) {
    unsigned long long now = spikeloop_h5_probe_address_space();
    if (now > 0) {
        struct rlimit limit = {now + 8 * max_elements + (256ULL << 20), now + 8 * max_elements + (256ULL << 20)};
        setrlimit(RLIMIT_AS, &limit);
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    // No file lock from the child: it must leave nothing behind that could stop the parent opening the file.
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_file_locking(fapl, 0, 1);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f < 0) return;
    hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
    long budget = 100000;
    if (root >= 0) {
        spikeloop_h5_probe_group(root, 0, max_elements, &budget);
        H5Gclose(root);
    }
    H5Fclose(f);
}

/// What the isolated probe walks: SHD's datasets only, or every object of the file.
enum { SPIKELOOP_H5_PROBE_SHD = 0, SPIKELOOP_H5_PROBE_EVERYTHING = 1 };

/// Runs the probe in a child process. Returns 0 when the child finished, the signal number when it was killed
/// (a crash inside HDF5; SIGABRT for any other nonzero exit than 3, e.g. a sanitizer's report), -1 when it ran past
/// `timeout_s` (a hang; the child is killed), -2 when fork failed,
/// -3 when HDF5 ran out of the child's memory budget (a dataset declares more data than the file can hold).
/// `limit`: SHD mode, the most rows of a chunked dataset to walk; everything mode, the most elements to read.
static inline int spikeloop_h5_probe_isolated(const char *path, int mode, unsigned long long limit, unsigned timeout_s) {
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
        if (mode == SPIKELOOP_H5_PROBE_EVERYTHING) spikeloop_h5_probe_everything(path, limit);
        else spikeloop_h5_probe_shd(path, limit);
        _exit(spikeloop_h5_probe_out_of_memory ? 3 : 0);
    }
    struct timespec nap = {0, 200000};
    unsigned long long waited_us = 0;
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGALRM ? -1 : WTERMSIG(status);
            if (WIFEXITED(status) && WEXITSTATUS(status) == 3) return -3;
            // Any other nonzero exit is a crash that did not end in a signal (e.g. a sanitizer's report): reject.
            return WIFEXITED(status) && WEXITSTATUS(status) != 0 ? SIGABRT : 0;
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
