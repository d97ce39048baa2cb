#pragma once

#include <vector>

namespace earshot
{

/** Onset detection from successive magnitude spectra: an onset detection
    function (ODF) per frame, and onsets picked from its peaks.

    The ODF is log-compressed spectral flux over logarithmically spaced bands
    (12 per octave, 30 Hz .. 16 kHz, after Böck et al. 2012): per band the mean
    magnitude is compressed with log (1 + 1000 m), and the half-wave rectified
    increase since the previous frame is averaged over the bands. Log-spaced bands
    keep the many high bins of a hi-hat from drowning a kick, so the ODF keeps the
    accents tempo estimation needs. Its scale does not depend on the FFT size: 0 in
    silence, below 0.005 in steady tones, ~0.14 in steady white noise, 0.02 .. 2 at
    the onsets of clicks and drums from -40 to 0 dBFS.

    Peak picking is causal with a look-ahead of latencyFrames() frames: a frame is an
    onset if it is the largest ODF value from 30 ms before to latencyFrames() after
    it, exceeds the median of the surrounding 100 ms by 0.01 plus the mean ODF of
    the last ~2 s, and is at least 50 ms after the previous onset.

    Thread: one instance per analysis thread; process() does not allocate.
    Deterministic: the same frames give the same outputs.
*/
class Onsets final
{
public:
    /** Allocates all state and resets it. Not the audio thread.
        @param frameRate  frames (hops) per second */
    void prepare (double sampleRate, int fftSize, double frameRate);

    /** Feeds the next frame's magnitudes (fftSize / 2 + 1 bins). Analysis thread.
        @returns the ODF value of this frame (>= 0) */
    float process (const float* magnitudes) noexcept;

    /** True if the most recent process() decided that an onset happened. Peak
        picking looks `latencyFrames()` frames ahead, so that onset's peak lies
        that many frames before the frame just processed. Analysis thread. */
    bool onsetDetected() const noexcept;

    /** The fixed look-ahead of the peak picker, in frames. Any thread after prepare(). */
    int latencyFrames() const noexcept;

    /** Onsets per second over the whole stream so far. Analysis thread. */
    double onsetRate() const noexcept;

    /** The time in seconds since the stream began of a sound whose ODF peaks in
        frame `frame` (frames counted from 0, frame n ending at sample (n + 1) * hop).
        A sharp onset at sample s peaks in frame floor (s / hop) + 1, loud ones
        sometimes one frame earlier; placing frame n at n - 0.25 hops makes the
        times unbiased (measured on clicks: within +-7 ms). Any thread. */
    static double timeOfFrame (double frame, double frameRate) noexcept;

private:
    bool pickPeak() noexcept;

    double frameRate = 86.0;
    int numBins = 0;
    std::vector<int> bandEdges; // band b covers bins [bandEdges[b], bandEdges[b + 1])
    std::vector<float> previousBands;

    // The last historySize ODF values, newest at (newest % historySize).
    std::vector<float> history, medianScratch;
    int historySize = 0, maxBefore = 0, medianBefore = 0, minGapFrames = 0;
    float recentMean = 0.0f, recentMeanCoefficient = 0.0f;

    bool detected = false;
    long long frames = 0, onsets = 0, lastOnsetFrame = 0;
};

} // namespace earshot
