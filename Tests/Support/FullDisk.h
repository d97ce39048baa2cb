#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>

namespace earshot::test
{

/** A disk that fills up, for SQLite: while one of these lives, every SQLite
    connection opened without a named VFS goes through a shim of the default VFS
    whose writes fail with SQLITE_FULL ("database or disk is full", what SQLite
    reports for ENOSPC) once `bytesFree` bytes have been written. Reads, locks and
    everything else pass through. Not nestable; one at a time.

    What happens afterwards is what would happen on a real full disk: SQLite rolls
    the transaction back (its journal restores any page written before the failure). */
class ScopedFullDisk final
{
public:
    explicit ScopedFullDisk (int64_t bytesFree);
    ~ScopedFullDisk();

    /** Bytes the shim refused to write so far (0 while the disk had room). */
    int64_t refusedWrites() const noexcept;
    /** Makes room again (as deleting files would): later writes succeed. */
    void makeRoom() noexcept;

    ScopedFullDisk (const ScopedFullDisk&) = delete;
    ScopedFullDisk& operator= (const ScopedFullDisk&) = delete;
};

} // namespace earshot::test
