// Open MPI's C API for Swift. MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM … are macros over addresses of
// library globals, which Swift cannot import, so they are exposed as inline functions.
#ifndef MTLA_CMPI_SHIM_H
#define MTLA_CMPI_SHIM_H
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

static inline MPI_Comm mtla_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype mtla_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype mtla_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype mtla_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype mtla_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Op mtla_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Request mtla_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *mtla_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline MPI_Errhandler mtla_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *mtla_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int mtla_mpi_success(void) { return MPI_SUCCESS; }
static inline int mtla_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int mtla_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
