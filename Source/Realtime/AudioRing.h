#pragma once

#include "Realtime/AudioBlock.h"

#include <atomic>
#include <cstdint>
#include <memory>

namespace earshot
{

/** A lock-free single-producer/single-consumer ring of audio blocks.

    Samples live in one planar ring per channel; each block's description lives
    in a second ring of headers that also says where the block's samples start.
    Blocks of any size up to the sample capacity fit, so a host that sends a
    block larger than it prepared for is still analysed.

    Why it is safe without locks: the producer writes a block's samples and its
    header, then publishes it with one release-store of headerWrite; the consumer
    acquire-loads headerWrite before reading anything the header describes, and
    gives space back with release-stores of sampleRead and headerRead that the
    producer acquire-loads before overwriting. Each index is written by exactly
    one side. Each side keeps a cached copy of the other side's index and only
    re-reads the shared one when the cache says the ring looks full or empty, so
    in the common case the two threads do not touch each other's cache lines.

    All storage is allocated in the constructor.
*/
class AudioRing final
{
public:
    /** Allocates the ring. Not the audio thread.
        @param maxChannels      channels stored per block; extra channels are not stored
        @param minSampleCapacity samples per channel the ring holds at least (rounded up to a power of two)
        @param minBlockCapacity  blocks the ring holds at least (rounded up to a power of two)
    */
    AudioRing (int maxChannels, int minSampleCapacity, int minBlockCapacity);

    /** Copies one block into the ring. Producer thread only (the audio thread).
        Never allocates, locks or waits. `info.numChannels` and `info.numSamples` say
        how much of `channels` to copy.
        @returns false, storing nothing, when the block does not fit (the ring is full).
    */
    bool push (const float* const* channels, const BlockInfo& info) noexcept
    {
        return push (channels, info.numChannels, info.numSamples, info.samplePosition, info.sampleRate, info.transport);
    }

    /** The same, with the block's description in pieces, written straight into the
        ring's header (the audio thread's path: one copy of everything, no more). */
    bool push (const float* const* channels, int numChannels, int numSamples, int64_t samplePosition, double sampleRate,
               const TransportState& transport) noexcept;

    /** Copies the oldest block into `destination`, whose storage must hold
        getMaxChannels() x getSampleCapacity(). Consumer thread only.
        @returns false when the ring is empty.
    */
    bool pop (AudioBlock& destination) noexcept;

    /** Samples per channel that a push could store right now. Producer thread only. */
    int getFreeSamples() noexcept;

    /** True if a block is waiting. Any thread (a hint when called by the producer). */
    bool hasBlocks() const noexcept;

    int getMaxChannels() const noexcept { return maxChannels; }
    int getSampleCapacity() const noexcept { return static_cast<int> (sampleCapacity); }
    int getBlockCapacity() const noexcept { return static_cast<int> (headerCapacity); }

private:
    struct alignas (64) Header
    {
        BlockInfo info;
        uint64_t firstSample = 0;
    };
    static_assert (sizeof (Header) == 64, "one cache line per block header");

    void copyIn (const float* const* channels, int numChannels, uint64_t firstSample, int numSamples) noexcept;
    void copyOut (AudioBlock& destination, int numChannels, uint64_t firstSample, int numSamples) const noexcept;

    const int maxChannels;
    const uint64_t sampleCapacity, sampleMask;
    const uint64_t headerCapacity, headerMask;
    std::unique_ptr<float[]> samples;
    std::unique_ptr<Header[]> headers;

    // Producer-owned.
    alignas (64) uint64_t producerHeaderWrite = 0;
    uint64_t producerSampleWrite = 0;
    uint64_t cachedHeaderRead = 0;
    uint64_t cachedSampleRead = 0;

    // Consumer-owned.
    alignas (64) uint64_t consumerHeaderRead = 0;
    uint64_t cachedHeaderWrite = 0;

    // Shared: written by one side, read by the other.
    alignas (64) std::atomic<uint64_t> headerWrite { 0 };
    alignas (64) std::atomic<uint64_t> headerRead { 0 };
    std::atomic<uint64_t> sampleRead { 0 };

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (AudioRing)
};

} // namespace earshot
