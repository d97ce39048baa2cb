#include "Support/FullDisk.h"

#include <cstdlib>
#include <cstring>

namespace earshot::test
{
namespace
{
std::atomic<int64_t> bytesLeft { 0 };
std::atomic<int64_t> refused { 0 };
sqlite3_vfs* original = nullptr;
sqlite3_vfs shim {};

/** Our file object; the wrapped VFS's file object follows it in the same allocation. */
struct ShimFile
{
    sqlite3_file base;
    sqlite3_io_methods methods;
    sqlite3_file* inner;
};

sqlite3_file* innerOf (sqlite3_file* file)
{
    return reinterpret_cast<ShimFile*> (file)->inner;
}

int shimWrite (sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset)
{
    if (bytesLeft.fetch_sub (amount) < amount)
    {
        refused += amount;
        return SQLITE_FULL;
    }
    auto* inner = innerOf (file);
    return inner->pMethods->xWrite (inner, data, amount, offset);
}

// Everything else goes straight to the wrapped file.
int shimClose (sqlite3_file* file)
{
    auto* inner = innerOf (file);
    return inner->pMethods != nullptr ? inner->pMethods->xClose (inner) : SQLITE_OK;
}
int shimRead (sqlite3_file* file, void* data, int amount, sqlite3_int64 offset)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xRead (inner, data, amount, offset);
}
int shimTruncate (sqlite3_file* file, sqlite3_int64 size)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xTruncate (inner, size);
}
int shimSync (sqlite3_file* file, int flags)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xSync (inner, flags);
}
int shimFileSize (sqlite3_file* file, sqlite3_int64* size)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xFileSize (inner, size);
}
int shimLock (sqlite3_file* file, int lock)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xLock (inner, lock);
}
int shimUnlock (sqlite3_file* file, int lock)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xUnlock (inner, lock);
}
int shimCheckReservedLock (sqlite3_file* file, int* result)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xCheckReservedLock (inner, result);
}
int shimFileControl (sqlite3_file* file, int op, void* argument)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xFileControl (inner, op, argument);
}
int shimSectorSize (sqlite3_file* file)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xSectorSize (inner);
}
int shimDeviceCharacteristics (sqlite3_file* file)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xDeviceCharacteristics (inner);
}
int shimShmMap (sqlite3_file* file, int region, int size, int extend, void volatile** memory)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xShmMap (inner, region, size, extend, memory);
}
int shimShmLock (sqlite3_file* file, int offset, int count, int flags)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xShmLock (inner, offset, count, flags);
}
void shimShmBarrier (sqlite3_file* file)
{
    auto* inner = innerOf (file);
    inner->pMethods->xShmBarrier (inner);
}
int shimShmUnmap (sqlite3_file* file, int deleteFlag)
{
    auto* inner = innerOf (file);
    return inner->pMethods->xShmUnmap (inner, deleteFlag);
}
int shimFetch (sqlite3_file* file, sqlite3_int64 offset, int amount, void** page)
{
    // No memory-mapped pages: every write then goes through xWrite, which counts it.
    (void) file;
    (void) offset;
    (void) amount;
    *page = nullptr;
    return SQLITE_OK;
}
int shimUnfetch (sqlite3_file* file, sqlite3_int64 offset, void* page)
{
    auto* inner = innerOf (file);
    return page == nullptr ? SQLITE_OK : inner->pMethods->xUnfetch (inner, offset, page);
}

int shimOpen (sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags)
{
    auto* shimFile = reinterpret_cast<ShimFile*> (file);
    shimFile->inner = reinterpret_cast<sqlite3_file*> (shimFile + 1);
    shimFile->base.pMethods = nullptr;
    const auto rc = original->xOpen (original, name, shimFile->inner, flags, outFlags);
    const auto* innerMethods = shimFile->inner->pMethods;
    if (innerMethods == nullptr)
        return rc;

    auto& methods = shimFile->methods;
    methods = {};
    methods.iVersion = innerMethods->iVersion;
    methods.xClose = shimClose;
    methods.xRead = shimRead;
    methods.xWrite = shimWrite;
    methods.xTruncate = shimTruncate;
    methods.xSync = shimSync;
    methods.xFileSize = shimFileSize;
    methods.xLock = shimLock;
    methods.xUnlock = shimUnlock;
    methods.xCheckReservedLock = shimCheckReservedLock;
    methods.xFileControl = shimFileControl;
    methods.xSectorSize = shimSectorSize;
    methods.xDeviceCharacteristics = shimDeviceCharacteristics;
    if (innerMethods->iVersion >= 2)
    {
        methods.xShmMap = shimShmMap;
        methods.xShmLock = shimShmLock;
        methods.xShmBarrier = shimShmBarrier;
        methods.xShmUnmap = shimShmUnmap;
    }
    if (innerMethods->iVersion >= 3)
    {
        methods.xFetch = shimFetch;
        methods.xUnfetch = shimUnfetch;
    }
    shimFile->base.pMethods = &methods;
    return rc;
}
} // namespace

ScopedFullDisk::ScopedFullDisk (int64_t bytesFree)
{
    bytesLeft = bytesFree;
    refused = 0;
    original = sqlite3_vfs_find (nullptr);
    if (original == nullptr || original == &shim)
        std::abort(); // no default VFS, or nested
    shim = *original;
    shim.zName = "earshot-full-disk";
    shim.szOsFile = static_cast<int> (sizeof (ShimFile)) + original->szOsFile;
    shim.xOpen = shimOpen;
    if (sqlite3_vfs_register (&shim, 1) != SQLITE_OK)
        std::abort();
}

ScopedFullDisk::~ScopedFullDisk()
{
    sqlite3_vfs_unregister (&shim);
    sqlite3_vfs_register (original, 1);
}

int64_t ScopedFullDisk::refusedWrites() const noexcept
{
    return refused;
}

void ScopedFullDisk::makeRoom() noexcept
{
    bytesLeft = int64_t { 1 } << 40;
}

} // namespace earshot::test
