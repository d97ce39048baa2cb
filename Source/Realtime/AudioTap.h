#pragma once

#include "Realtime/AudioRing.h"

#include <atomic>
#include <cstdint>
#include <memory>

namespace earshot
{

/** Counts of what happened to the blocks pushed into a tap since it was prepared. */
struct TapStatistics
{
    uint64_t blocksPushed = 0;
    uint64_t blocksDropped = 0;
    uint64_t samplesDropped = 0;
};

/** The audio thread's only door into Earshot.

    push() copies a block into a preallocated AudioRing and returns; when the ring
    is full the block is dropped and counted. It never allocates, frees, locks,
    logs or waits, and the audio passing through the host is never touched.

    prepare() and release() may run on another thread while the audio thread is
    pushing. A push marks itself busy, then loads the ring pointer; prepare()
    clears the ring pointer, then waits while a push is busy. An AsymmetricFence
    between each side's store and load (Dekker's handshake) means either the push
    sees the cleared pointer or prepare() sees it busy, so a ring is never freed
    while a push is using it, and the old ring is freed on the preparing thread,
    never on the audio thread. The audio thread's share of that handshake is two
    plain stores and a compiler barrier; prepare() pays for a system call. A push
    that finds no ring while prepared drops its block and counts it.
*/
class AudioTap final
{
public:
    /** How long the ring can buffer audio while the analysis thread is busy. */
    static constexpr double ringSeconds = 2.0;
    static constexpr int maxChannels = 8;

    AudioTap() = default;
    ~AudioTap();

    /** Allocates a ring for `format` and resets the counters. Any thread but the
        audio thread; the ring's consumer must not be popping meanwhile. */
    void prepare (const StreamFormat& format);

    /** Frees the ring; pushes are then ignored. Same threads as prepare(). */
    void release();

    /** Copies `numSamples` samples of each of `numChannels` channels into the ring.
        Audio thread only. Real-time safe. */
    void push (const float* const* channels, int numChannels, int numSamples,
               const TransportState& transport = {}) noexcept;

    /** Pops the oldest block into `destination`. Consumer thread only, and only
        between prepare() and release(). @returns false when nothing is waiting. */
    bool pop (AudioBlock& destination) noexcept;

    /** True if a block is waiting. Consumer thread only. */
    bool hasBlocks() const noexcept;

    /** Samples per channel a push could store now, or 0 if unprepared. Producer thread only:
        lets an offline producer (the CLI) wait for room instead of dropping. */
    int getFreeSamples() noexcept;

    /** Allocates `block` to hold anything this tap's ring can hold. Not the audio thread. */
    void allocateBlock (AudioBlock& block) const;

    /** The format of the last prepare(). Not the audio thread. */
    StreamFormat getFormat() const noexcept { return format; }

    /** Any thread. */
    TapStatistics getStatistics() const noexcept;

private:
    void detachRing() noexcept;
    void countDrop (int numSamples) noexcept;

    std::unique_ptr<AudioRing> ring;
    std::atomic<AudioRing*> available { nullptr };
    std::atomic<bool> pushing { false };
    std::atomic<bool> prepared { false };
    StreamFormat format;
    double sampleRate = 0.0;
    int64_t samplePosition = 0;

    std::atomic<uint64_t> blocksPushed { 0 }, blocksDropped { 0 }, samplesDropped { 0 };

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (AudioTap)
};

} // namespace earshot
