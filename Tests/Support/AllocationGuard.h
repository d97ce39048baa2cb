#pragma once

#include <cstddef>
#include <cstdint>

namespace earshot::test
{

/** Counts heap allocations, frees and mutex locks made by the current thread
    while it is alive. The test binary interposes malloc/free/calloc/realloc,
    the aligned variants, operator new/delete and pthread_mutex_lock, so
    anything that reaches the heap or a mutex is seen, whichever library it is in.

    Not nestable across threads: each guard watches only the thread that made it. */
class ScopedAllocationGuard final
{
public:
    ScopedAllocationGuard();
    ~ScopedAllocationGuard();

    ScopedAllocationGuard (const ScopedAllocationGuard&) = delete;
    ScopedAllocationGuard& operator= (const ScopedAllocationGuard&) = delete;

    uint64_t allocations() const noexcept;
    uint64_t deallocations() const noexcept;
    uint64_t locks() const noexcept;
    /** Size of the last allocation seen, to say what was allocated. */
    size_t lastAllocationSize() const noexcept;

    /** False when a sanitizer owns the allocator and the interposition is off. */
    static bool isActive() noexcept;
};

} // namespace earshot::test
