// Open MPI, loaded at run time (dlopen) so that the spikeloop binary, the library and the Python wheel run without
// MPI installed; only a process started by `mpirun` loads it. Handles follow Open MPI's ABI (every MPI handle is a
// pointer to a predefined object, e.g. MPI_COMM_WORLD = &ompi_mpi_comm_world), so no mpi.h is needed to build.
#ifndef SPIKELOOP_MPI_LOADER_H
#define SPIKELOOP_MPI_LOADER_H

#ifdef __cplusplus
extern "C" {
#endif

/// Loads libmpi (`path`, or libmpi.so.40 then libmpi.so when NULL) and resolves the calls below.
/// Returns 0, or -1 with a message in `error`.
int spk_mpi_load(const char *path, char *error, int error_length);
/// MPI_Init unless already initialized; 0 on success, else the MPI error code.
int spk_mpi_init(void);
int spk_mpi_rank(void);
int spk_mpi_size(void);
/// MPI_Alltoallv of floats (`kind` 0) or doubles (`kind` 1) on MPI_COMM_WORLD; counts and displacements in elements.
int spk_mpi_alltoallv(int kind, const void *send, const int *send_counts, const int *send_offsets,
                      void *receive, const int *receive_counts, const int *receive_offsets);
/// MPI_Allgatherv of floats (`kind` 0), doubles (1) or bytes (2) on MPI_COMM_WORLD.
int spk_mpi_allgatherv(int kind, const void *send, int send_count, void *receive, const int *receive_counts,
                       const int *receive_offsets);
/// MPI_Allgather of one int per rank.
int spk_mpi_allgather_int(int value, int *receive);
int spk_mpi_barrier(void);
double spk_mpi_wtime(void);
/// Ends every rank of the job (an error on one rank would otherwise leave the others waiting forever).
void spk_mpi_abort(int code);
int spk_mpi_finalize(void);

#ifdef __cplusplus
}
#endif
#endif
