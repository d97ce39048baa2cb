#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace earshot
{

/** Hands the latest value of T from one writer thread to one reader thread
    without locks (a triple buffer).

    The writer fills its private back slot and publishes it by exchanging it with
    the shared middle slot; the reader takes the middle slot by exchanging it with
    its private front slot, but only when the middle holds something new. Neither
    side ever waits, and the reader never sees a half-written value: a slot is
    only ever touched by the side that currently owns it. Values the reader does
    not get to before the next publish are skipped, which is what a meter wants.
*/
template <typename T>
class LatestValue final
{
public:
    /** The writer's private slot, to fill before publish(). Writer thread only. */
    T& back() noexcept { return slots[backIndex]; }

    /** Makes back() the latest value; back() then refers to a slot holding an
        older value, which the writer overwrites. Writer thread only. */
    void publish() noexcept
    {
        const auto previous = middle.exchange (static_cast<uint8_t> (backIndex | freshBit), std::memory_order_acq_rel);
        backIndex = previous & indexMask;
    }

    /** The latest published value (or the one before, if nothing new arrived).
        Reader thread only; valid until the reader's next call. */
    const T& read() noexcept
    {
        if ((middle.load (std::memory_order_relaxed) & freshBit) != 0)
        {
            const auto previous = middle.exchange (frontIndex, std::memory_order_acq_rel);
            frontIndex = previous & indexMask;
        }
        return slots[frontIndex];
    }

private:
    static constexpr uint8_t freshBit = 4;
    static constexpr uint8_t indexMask = 3;

    std::array<T, 3> slots {};
    uint8_t backIndex = 0;
    uint8_t frontIndex = 1;
    std::atomic<uint8_t> middle { 2 };
};

} // namespace earshot
