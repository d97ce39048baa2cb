#include "Realtime/AsymmetricFence.h"

#include <atomic>
#include <mutex>

#if defined(__linux__)
    #include <linux/membarrier.h>
    #include <sys/syscall.h>
    #include <unistd.h>
#endif

namespace earshot::AsymmetricFence
{
namespace
{
bool registerExpedited() noexcept
{
#if defined(__linux__) && defined(__NR_membarrier)
    const auto supported = syscall (__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
        return false;
    return syscall (__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
    return false;
#endif
}
} // namespace

void heavyFence() noexcept
{
    static std::once_flag once;
    std::call_once (once, [] { detail::expedited.store (registerExpedited(), std::memory_order_seq_cst); });

#if defined(__linux__) && defined(__NR_membarrier)
    if (detail::expedited.load (std::memory_order_relaxed) &&
        syscall (__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
        return;
#endif
    std::atomic_thread_fence (std::memory_order_seq_cst);
}

} // namespace earshot::AsymmetricFence
