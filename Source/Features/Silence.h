#pragma once

#include <cstdint>

namespace earshot
{

/** Gated silence: a run of frames quieter than a threshold that lasts at least a
    minimum time. Reports when such a run has been confirmed (its start lies
    minSeconds back) and when it ends. Thread: one instance per analysis thread. */
class Silence final
{
public:
    enum class Change
    {
        none,
        /** The last minSeconds were silent: silence began at startFrame(). */
        started,
        /** Sound again after a confirmed silence; it ended at this frame. */
        ended
    };

    void prepare (float thresholdDbfs, double minSeconds, double frameRate) noexcept;

    /** Feeds one frame's level; says what changed. */
    Change process (float levelDbfs) noexcept;

    bool isInSilence() const noexcept { return confirmed; }
    int64_t startFrame() const noexcept { return runStart; }
    /** Frames of confirmed silence so far. */
    int64_t silentFrames() const noexcept { return totalSilent; }

private:
    float threshold = -60.0f;
    int64_t minFrames = 1, frame = 0, runStart = -1, totalSilent = 0;
    bool confirmed = false;
};

} // namespace earshot
