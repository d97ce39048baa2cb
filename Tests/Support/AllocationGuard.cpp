#include "Support/AllocationGuard.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <dlfcn.h>
#include <new>
#include <pthread.h>

// Sanitizers replace the allocator themselves; interposing it again would fight them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    #define EARSHOT_INTERPOSE 0
#elif defined(__has_feature)
    #if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
        #define EARSHOT_INTERPOSE 0
    #endif
#endif
#ifndef EARSHOT_INTERPOSE
    #define EARSHOT_INTERPOSE 1
#endif

namespace
{
// Plain thread-locals in the executable live in static TLS: reading them never allocates.
thread_local int guardDepth = 0;
thread_local uint64_t threadAllocations = 0;
thread_local uint64_t threadDeallocations = 0;
thread_local uint64_t threadLocks = 0;
thread_local size_t threadLastSize = 0;

inline void noteAllocation (size_t size) noexcept
{
    if (guardDepth > 0)
    {
        ++threadAllocations;
        threadLastSize = size;
    }
}

inline void noteDeallocation (void* pointer) noexcept
{
    if (guardDepth > 0 && pointer != nullptr)
        ++threadDeallocations;
}
} // namespace

namespace earshot::test
{
ScopedAllocationGuard::ScopedAllocationGuard()
{
    threadAllocations = threadDeallocations = threadLocks = 0;
    threadLastSize = 0;
    ++guardDepth;
}

ScopedAllocationGuard::~ScopedAllocationGuard()
{
    --guardDepth;
}

uint64_t ScopedAllocationGuard::allocations() const noexcept
{
    return threadAllocations;
}
uint64_t ScopedAllocationGuard::deallocations() const noexcept
{
    return threadDeallocations;
}
uint64_t ScopedAllocationGuard::locks() const noexcept
{
    return threadLocks;
}
size_t ScopedAllocationGuard::lastAllocationSize() const noexcept
{
    return threadLastSize;
}
bool ScopedAllocationGuard::isActive() noexcept
{
    return EARSHOT_INTERPOSE != 0;
}
} // namespace earshot::test

#if EARSHOT_INTERPOSE

extern "C"
{
    void* __libc_malloc (size_t);
    void __libc_free (void*);
    void* __libc_calloc (size_t, size_t);
    void* __libc_realloc (void*, size_t);
    void* __libc_memalign (size_t, size_t);

    void* malloc (size_t size)
    {
        noteAllocation (size);
        return __libc_malloc (size);
    }

    void free (void* pointer)
    {
        noteDeallocation (pointer);
        __libc_free (pointer);
    }

    void* calloc (size_t count, size_t size)
    {
        noteAllocation (count * size);
        return __libc_calloc (count, size);
    }

    void* realloc (void* pointer, size_t size)
    {
        noteAllocation (size);
        return __libc_realloc (pointer, size);
    }

    void* memalign (size_t alignment, size_t size)
    {
        noteAllocation (size);
        return __libc_memalign (alignment, size);
    }

    void* aligned_alloc (size_t alignment, size_t size)
    {
        noteAllocation (size);
        return __libc_memalign (alignment, size);
    }

    int posix_memalign (void** result, size_t alignment, size_t size)
    {
        noteAllocation (size);
        auto* pointer = __libc_memalign (alignment, size);
        if (pointer == nullptr)
            return ENOMEM;
        *result = pointer;
        return 0;
    }

    using MutexLock = int (*) (pthread_mutex_t*);

    // Resolved before main, while no guard is active (dlsym may allocate).
    static MutexLock realMutexLock = reinterpret_cast<MutexLock> (dlsym (RTLD_NEXT, "pthread_mutex_lock"));

    int pthread_mutex_lock (pthread_mutex_t* mutex)
    {
        if (guardDepth > 0)
            ++threadLocks;
        if (realMutexLock == nullptr)
            realMutexLock = reinterpret_cast<MutexLock> (dlsym (RTLD_NEXT, "pthread_mutex_lock"));
        return realMutexLock (mutex);
    }
} // extern "C"

void* operator new (size_t size)
{
    if (auto* pointer = malloc (size == 0 ? 1 : size))
        return pointer;
    throw std::bad_alloc();
}

void* operator new[] (size_t size)
{
    return operator new (size);
}

void* operator new (size_t size, const std::nothrow_t&) noexcept
{
    return malloc (size == 0 ? 1 : size);
}

void* operator new[] (size_t size, const std::nothrow_t&) noexcept
{
    return malloc (size == 0 ? 1 : size);
}

void* operator new (size_t size, std::align_val_t alignment)
{
    if (auto* pointer = memalign (static_cast<size_t> (alignment), size == 0 ? 1 : size))
        return pointer;
    throw std::bad_alloc();
}

void* operator new[] (size_t size, std::align_val_t alignment)
{
    return operator new (size, alignment);
}

void operator delete (void* pointer) noexcept
{
    free (pointer);
}
void operator delete[] (void* pointer) noexcept
{
    free (pointer);
}
void operator delete (void* pointer, size_t) noexcept
{
    free (pointer);
}
void operator delete[] (void* pointer, size_t) noexcept
{
    free (pointer);
}
void operator delete (void* pointer, std::align_val_t) noexcept
{
    free (pointer);
}
void operator delete[] (void* pointer, std::align_val_t) noexcept
{
    free (pointer);
}
void operator delete (void* pointer, size_t, std::align_val_t) noexcept
{
    free (pointer);
}
void operator delete[] (void* pointer, size_t, std::align_val_t) noexcept
{
    free (pointer);
}

#endif
