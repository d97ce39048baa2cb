#pragma once

#include "Analysis/AnalysisStage.h"
#include "Features/Chroma.h"
#include "Features/FeatureFamilies.h"
#include "Features/FeatureFrame.h"
#include "Features/Key.h"
#include "Features/Loudness.h"
#include "Features/Mfcc.h"
#include "Features/Onsets.h"
#include "Features/Segments.h"
#include "Features/Silence.h"
#include "Features/Spectrum.h"
#include "Features/Stereo.h"
#include "Features/Tempo.h"
#include "Features/TrackSummary.h"

#include <functional>
#include <vector>

namespace earshot
{

/** Settings of the feature extractor a user may change. */
struct FeatureSettings
{
    /** Frames quieter than this (RMS over the hop) count as silent. */
    float silenceThresholdDbfs = -60.0f;
    /** Silence shorter than this is a pause, not a silence. */
    double minSilenceSeconds = 2.0;
    /** Live summaries forget with this half-life; whole-stream ones keep everything. */
    double liveSummaryHalfLifeSeconds = 30.0;
    double segmentWindowSeconds = 3.0;
    double minSegmentSeconds = 8.0;
    /** The families to compute; the ones they are computed from are added
        (FeatureFamilies::withDependencies()). The others cost nothing: their state is
        not prepared, their fields of frames and summaries keep their defaults. */
    FeatureFamilies families = FeatureFamilies::all();
    /** How much of the stream the whole-stream results keep: wholeTempo() and its
        beats, onsetTimes(), silentRegions(), segmentBoundaries(). 0 keeps all of it
        (files). A live stream that may run for days sets a limit (the plugin: 10
        minutes) so that memory stays flat; summariseWhole()'s means and key still
        cover the whole stream (they are running sums). */
    double historySeconds = 0.0;
};

/** A stretch of confirmed silence, in seconds since the stream began. */
struct SilentRegion
{
    double startSeconds = 0.0;
    double endSeconds = 0.0;
};

/** The features stage: turns the stream into a FeatureFrame every hop and keeps
    the summaries the recommendation, analytics and ad stages consume.

    The stream is downmixed to mono (the mean of the channels) and analysed in
    windows of Spectrum::fftSizeFor (rate) samples (about 46 ms) every quarter
    window (the hop); loudness, true peak and stereo image use all channels.
    Blocks are cut at hop boundaries, so the frames depend only on the samples,
    never on the block sizes: the same audio gives identical frames live (any
    block size) and offline.

    Runs after the Level stage, whose per-channel totals it summarises.

    Only the families of FeatureSettings::families (and their dependencies) are
    computed; each one's values are the same whether it runs alone or with all.

    Threads: prepare() while the analysis thread is stopped; process() and the
    accessors on the analysis thread (or any thread once it has stopped).
*/
class FeatureExtractor final : public AnalysisStage
{
public:
    using FrameListener = std::function<void (const FeatureFrame&)>;

    explicit FeatureExtractor (FeatureSettings settings = {});

    /** Called with every frame, on the analysis thread. Set before prepare(). */
    void setFrameListener (FrameListener listener) { frameListener = std::move (listener); }

    void prepare (const StreamFormat& format) override;
    void process (const AudioBlock& block, AnalysisContext& context) override;

    /** Tempo and beat times (s) of the whole stream so far. Costs a pass over the
        stream's onset function: call once and keep the result. May allocate. */
    TempoEstimate wholeTempo() const;

    /** The summary of everything since prepare(), with whole-stream key and the
        given whole-stream tempo. `levels` are the Level stage's snapshot levels. */
    TrackSummary summariseWhole (const Snapshot& levels, const TempoEstimate& wholeStreamTempo) const;

    /** Onsets, silences and segment boundaries so far (seconds; the last
        FeatureSettings::historySeconds of them when that is set). */
    const std::vector<double>& onsetTimes() const noexcept { return onsets; }
    const std::vector<SilentRegion>& silentRegions() const noexcept { return silences; }
    const std::vector<double>& segmentBoundaries() const noexcept { return boundaries; }

    /** What prepare() set up to compute: the families asked for and their dependencies. */
    FeatureFamilies computedFamilies() const noexcept { return computed; }

    int getFftSize() const noexcept { return fftSize; }
    int getHopSize() const noexcept { return hopSize; }
    double getFrameRate() const noexcept { return frameRate; }

private:
    void emitFrame (AnalysisContext& context);
    void computeSpectralShape (FeatureFrame& frame) noexcept;
    void detectSilence (const FeatureFrame& frame, AnalysisContext& context);
    void forgetBefore (double seconds);
    void fillSummary (TrackSummary& summary, const Snapshot& levels, const TempoEstimate& tempoEstimate,
                      const KeyEstimate& keyEstimate, const SummaryAccumulator& accumulator) const;

    FeatureSettings settings;
    FrameListener frameListener;

    // What prepare() derived from settings.families: the families, and the shared
    // work below them (the FFT of the mono downmix; the level of each hop, which
    // also tells silent frames apart for the summaries and the silence detector).
    FeatureFamilies computed = FeatureFamilies::all();
    bool needsFft = true, needsHopLevel = true;

    double sampleRate = 44100.0;
    int numChannels = 1, fftSize = 2048, hopSize = 512;
    double frameRate = 86.0;

    Loudness loudness;
    Stereo hopStereo, totalStereo;
    Spectrum spectrum;
    Mfcc mfcc;
    Chroma chroma;
    Onsets onsetDetector;
    Tempo tempo;
    Key key;
    Silence silence;
    Segments segments;
    SummaryAccumulator wholeSummary, liveSummary;

    std::vector<float> history; // the last fftSize samples of the mono downmix, circular
    std::vector<float> window;  // history in order, for the FFT
    std::vector<float> previousMagnitudes;
    size_t historyWrite = 0;
    int samplesIntoHop = 0;
    int64_t samplesSeen = 0, frameIndex = 0;
    double hopSquares = 0.0;
    float hopPeak = 0.0f, hopTruePeak = 0.0f;
    bool hopHadInvalidInput = false;
    int framesSinceLiveSummary = 0;
    int loudnessRefreshFrames = 8;
    float momentary = FeatureFrame::noLevel, shortTerm = FeatureFrame::noLevel;

    std::vector<double> onsets, boundaries;
    std::vector<SilentRegion> silences;
};

} // namespace earshot
