#pragma once

#include <atomic>

namespace earshot
{

/** A memory fence split unevenly between two threads: the audio thread pays
    for a compiler barrier only, and the rare other side pays for a system call.

    lightFence() on one thread and heavyFence() on another together order each
    side's earlier stores before its later loads, as two full fences would
    (the store-then-load handshake of Dekker's algorithm). On Linux heavyFence()
    uses membarrier(PRIVATE_EXPEDITED), which makes every running thread of the
    process execute a full barrier; where that is unavailable, both sides fall
    back to a full fence.
*/
namespace AsymmetricFence
{
namespace detail
{
// Set once heavyFence() has registered for expedited membarriers. Until then
// lightFence() is a full fence, so the pair is correct from the first call.
inline std::atomic<bool> expedited { false };
} // namespace detail

/** The cheap side. Any thread; real-time safe. */
inline void lightFence() noexcept
{
    if (detail::expedited.load (std::memory_order_relaxed))
        std::atomic_signal_fence (std::memory_order_seq_cst);
    else
        std::atomic_thread_fence (std::memory_order_seq_cst);
}

/** The expensive side (a system call). Never the audio thread. */
void heavyFence() noexcept;
} // namespace AsymmetricFence

} // namespace earshot
