#pragma once

#include <cstdint>

namespace earshot
{

/** Something the analysis noticed that the UI, a log or a publisher may act on.
    Kept trivially copyable so the event queue never allocates. */
struct EngineEvent
{
    enum class Kind : uint8_t
    {
        /** The stream was (re)prepared; value = sample rate in Hz. */
        streamPrepared,
        /** The audio thread dropped blocks since the last such event; value = blocks dropped. */
        blocksDropped,
        /** Blocks with NaN/Inf samples started arriving (they are analysed as silence). */
        invalidSamples,
        /** A channel reached 0 dBFS; channel = which. */
        clipping,
        /** A confirmed silence began at streamSeconds; value = its length so far (s). */
        silenceStarted,
        /** A confirmed silence ended at streamSeconds; value = its length (s). */
        silenceEnded,
        /** A segment or track change happened at streamSeconds; value = novelty. */
        segmentBoundary
    };

    Kind kind = Kind::streamPrepared;
    /** Stream time of the event, in seconds since the stream was prepared. */
    double streamSeconds = 0.0;
    double value = 0.0;
    int channel = -1;
};

} // namespace earshot
