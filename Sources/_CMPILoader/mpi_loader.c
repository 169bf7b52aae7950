#include "mpi_loader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef void *Handle;  // MPI_Comm, MPI_Datatype, MPI_Op: pointers in Open MPI

static void *library;
static Handle comm_world, type_float, type_double, type_byte, type_int;
static int (*p_initialized)(int *);
static int (*p_init)(int *, char ***);
static int (*p_comm_rank)(Handle, int *);
static int (*p_comm_size)(Handle, int *);
static int (*p_alltoallv)(const void *, const int *, const int *, Handle, void *, const int *, const int *, Handle,
                          Handle);
static int (*p_allgatherv)(const void *, int, Handle, void *, const int *, const int *, Handle, Handle);
static int (*p_allgather)(const void *, int, Handle, void *, int, Handle, Handle);
static int (*p_barrier)(Handle);
static double (*p_wtime)(void);
static int (*p_abort)(Handle, int);
static int (*p_finalized)(int *);
static int (*p_finalize)(void);

static int resolve(void **slot, const char *name, char *error, int length) {
    *slot = dlsym(library, name);
    if (*slot == NULL) {
        snprintf(error, (size_t)length, "libmpi has no symbol %s (not Open MPI 4 or later?)", name);
        return -1;
    }
    return 0;
}

int spk_mpi_load(const char *path, char *error, int length) {
    if (library != NULL) return 0;
    // RTLD_GLOBAL: Open MPI's plugins (mca components) resolve libmpi's symbols when they are loaded.
    const char *names[] = {path, "libmpi.so.40", "libmpi.so"};
    for (int i = path == NULL ? 1 : 0; i < 3 && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
        if (path != NULL) break;
    }
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(error, (size_t)length, "cannot load Open MPI's libmpi: %s", why ? why : "not found");
        return -1;
    }
    struct { void **slot; const char *name; } symbols[] = {
        {(void **)&comm_world, "ompi_mpi_comm_world"}, {(void **)&type_float, "ompi_mpi_float"},
        {(void **)&type_double, "ompi_mpi_double"}, {(void **)&type_byte, "ompi_mpi_byte"},
        {(void **)&type_int, "ompi_mpi_int"}, {(void **)&p_initialized, "MPI_Initialized"},
        {(void **)&p_init, "MPI_Init"}, {(void **)&p_comm_rank, "MPI_Comm_rank"},
        {(void **)&p_comm_size, "MPI_Comm_size"}, {(void **)&p_alltoallv, "MPI_Alltoallv"},
        {(void **)&p_allgatherv, "MPI_Allgatherv"}, {(void **)&p_allgather, "MPI_Allgather"},
        {(void **)&p_barrier, "MPI_Barrier"}, {(void **)&p_wtime, "MPI_Wtime"}, {(void **)&p_abort, "MPI_Abort"},
        {(void **)&p_finalized, "MPI_Finalized"}, {(void **)&p_finalize, "MPI_Finalize"},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (resolve(symbols[i].slot, symbols[i].name, error, length) != 0) {
            dlclose(library);
            library = NULL;
            return -1;
        }
    }
    return 0;
}

int spk_mpi_init(void) {
    int done = 0;
    p_initialized(&done);
    return done ? 0 : p_init(NULL, NULL);
}

int spk_mpi_rank(void) {
    int r = 0;
    p_comm_rank(comm_world, &r);
    return r;
}

int spk_mpi_size(void) {
    int n = 1;
    p_comm_size(comm_world, &n);
    return n;
}

static Handle type_of(int kind) { return kind == 0 ? type_float : kind == 1 ? type_double : type_byte; }

int spk_mpi_alltoallv(int kind, const void *send, const int *send_counts, const int *send_offsets, void *receive,
                      const int *receive_counts, const int *receive_offsets) {
    Handle t = type_of(kind);
    return p_alltoallv(send, send_counts, send_offsets, t, receive, receive_counts, receive_offsets, t, comm_world);
}

int spk_mpi_allgatherv(int kind, const void *send, int send_count, void *receive, const int *receive_counts,
                       const int *receive_offsets) {
    Handle t = type_of(kind);
    return p_allgatherv(send, send_count, t, receive, receive_counts, receive_offsets, t, comm_world);
}

int spk_mpi_allgather_int(int value, int *receive) {
    return p_allgather(&value, 1, type_int, receive, 1, type_int, comm_world);
}

int spk_mpi_barrier(void) { return p_barrier(comm_world); }
double spk_mpi_wtime(void) { return p_wtime(); }
void spk_mpi_abort(int code) { p_abort(comm_world, code); }

int spk_mpi_finalize(void) {
    int done = 0;
    p_finalized(&done);
    return done ? 0 : p_finalize();
}
