#pragma once

#include <juce_audio_basics/juce_audio_basics.h>

#include <cstdint>

namespace earshot
{

/** What the host said about its transport for one block.
    Wide fields first: the ring copies this for every block, and packed it keeps a
    block's whole header within one cache line. */
struct TransportState
{
    double bpm = 0.0;
    double ppqPosition = 0.0;
    int64_t hostTimeInSamples = 0;
    bool isPlaying = false;
    bool isRecording = false;
    bool hasTempo = false;
    bool hasPosition = false;
};

/** Describes one block of audio as the audio thread saw it. */
struct BlockInfo
{
    /** Samples pushed into the tap since it was prepared, before this block. */
    int64_t samplePosition = 0;
    double sampleRate = 0.0;
    int numChannels = 0;
    int numSamples = 0;
    TransportState transport;
};

/** The stream a tap and its consumers are prepared for. */
struct StreamFormat
{
    double sampleRate = 44100.0;
    int maxBlockSize = 512;
    int numChannels = 2;

    bool operator== (const StreamFormat& other) const noexcept
    {
        return sampleRate == other.sampleRate && maxBlockSize == other.maxBlockSize && numChannels == other.numChannels;
    }
    bool operator!= (const StreamFormat& other) const noexcept { return ! operator== (other); }
};

/** A block owned by the analysis side, copied out of the ring into storage that
    was allocated when the consumer was prepared.

    Thread: owned by one consumer thread at a time.
*/
class AudioBlock final
{
public:
    AudioBlock() = default;

    /** Allocates room for the largest block the ring can hold. Not the audio thread. */
    void allocate (int maxChannels, int maxSamples)
    {
        storage.setSize (maxChannels, maxSamples, false, true, false);
        view.setDataToReferTo (storage.getArrayOfWritePointers(), maxChannels, 0);
    }

    /** Makes the block describe `newInfo` without allocating; the caller then fills
        channels [0, newInfo.numChannels) with newInfo.numSamples samples each. */
    void resizeWithoutAllocating (const BlockInfo& newInfo) noexcept
    {
        jassert (newInfo.numChannels <= storage.getNumChannels());
        jassert (newInfo.numSamples <= storage.getNumSamples());
        info = newInfo;
        invalidSamples = false;
        view.setDataToReferTo (storage.getArrayOfWritePointers(), newInfo.numChannels, newInfo.numSamples);
    }

    const BlockInfo& getInfo() const noexcept { return info; }

    /** Set by the consumer when it replaced NaN or Inf samples of this block with silence. */
    bool hadInvalidSamples() const noexcept { return invalidSamples; }
    void setHadInvalidSamples (bool had) noexcept { invalidSamples = had; }
    int getNumChannels() const noexcept { return info.numChannels; }
    int getNumSamples() const noexcept { return info.numSamples; }
    int getMaxChannels() const noexcept { return storage.getNumChannels(); }
    int getMaxSamples() const noexcept { return storage.getNumSamples(); }

    const float* getReadPointer (int channel) const noexcept { return storage.getReadPointer (channel); }
    float* getWritePointer (int channel) noexcept { return storage.getWritePointer (channel); }

    /** Samples beyond this (+120 dBFS) are no audio: squaring them overflows floats. */
    static constexpr float maxValidSample = 1.0e6f;

    /** Replaces NaN, Inf and absurdly large samples (beyond maxValidSample) with
        silence and remembers that it did, so no analysis state is ever poisoned.
        Consumer thread. @returns true if any were replaced. */
    bool replaceInvalidSamples() noexcept
    {
        bool replaced = false;
        for (int channel = 0; channel < info.numChannels; ++channel)
        {
            auto* samples = storage.getWritePointer (channel);
            for (int i = 0; i < info.numSamples; ++i)
            {
                // False for NaN as well as for +-Inf and huge values.
                if (! (std::abs (samples[i]) <= maxValidSample))
                {
                    samples[i] = 0.0f;
                    replaced = true;
                }
            }
        }
        invalidSamples = replaced;
        return replaced;
    }

    /** The block's samples as an AudioBuffer that refers to this block's storage. */
    const juce::AudioBuffer<float>& getBuffer() const noexcept { return view; }

private:
    juce::AudioBuffer<float> storage;
    juce::AudioBuffer<float> view;
    BlockInfo info;
    bool invalidSamples = false;
};

} // namespace earshot
