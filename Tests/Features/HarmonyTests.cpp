#include "Features/Chroma.h"
#include "Features/Key.h"
#include "Features/Mfcc.h"
#include "Features/Spectrum.h"
#include "Support/AllocationGuard.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace earshot;

namespace
{
using ChromaVector = std::array<float, FeatureFrame::numChroma>;
using MfccVector = std::array<float, FeatureFrame::numMfcc>;

struct FrameFeatures
{
    MfccVector mfcc {};
    ChromaVector chroma {};
    float rms = 0.0f;
};

/** Frames `signal` the way FeatureExtractor does (Spectrum::fftSizeFor, hop fftSize / 4;
    every window that lies wholly inside the signal) and computes MFCC and chroma. */
std::vector<FrameFeatures> analyse (const std::vector<float>& signal, double sampleRate)
{
    const int fftSize = Spectrum::fftSizeFor (sampleRate);
    Spectrum spectrum;
    Mfcc mfcc;
    Chroma chroma;
    spectrum.prepare (fftSize);
    mfcc.prepare (sampleRate, fftSize);
    chroma.prepare (sampleRate, fftSize);

    std::vector<FrameFeatures> frames;
    for (size_t start = 0; start + static_cast<size_t> (fftSize) <= signal.size();
         start += static_cast<size_t> (fftSize / 4))
    {
        const float* window = signal.data() + start;
        FrameFeatures frame;
        spectrum.analyse (window);
        mfcc.compute (spectrum.magnitudes(), frame.mfcc);
        chroma.compute (spectrum.magnitudes(), frame.chroma);
        const float energy = std::inner_product (window, window + fftSize, window, 0.0f);
        frame.rms = std::sqrt (energy / static_cast<float> (fftSize));
        frames.push_back (frame);
    }
    return frames;
}

std::vector<float> sine (double sampleRate, double frequency, float amplitude, double seconds = 0.5)
{
    juce::AudioBuffer<float> buffer (1, static_cast<int> (seconds * sampleRate));
    test::fillSine (buffer, sampleRate, frequency, amplitude);
    return { buffer.getReadPointer (0), buffer.getReadPointer (0) + buffer.getNumSamples() };
}

std::vector<float> noise (float amplitude, int numSamples, int64_t seed = 1)
{
    juce::AudioBuffer<float> buffer (1, numSamples);
    test::fillNoise (buffer, amplitude, seed);
    return { buffer.getReadPointer (0), buffer.getReadPointer (0) + numSamples };
}

double midiToHz (int note)
{
    return 440.0 * std::pow (2.0, (note - 69) / 12.0);
}

/** Adds a note of `partials` harmonics (partial n at amplitude 1/n, a sawtooth-like
    tone) with a 10 ms attack, a gentle decay and a 30 ms release. */
void addNote (std::vector<float>& out, double sampleRate, double startSeconds, double seconds, int midiNote,
              float amplitude, int partials = 6)
{
    const auto first = static_cast<size_t> (startSeconds * sampleRate);
    const auto length = static_cast<size_t> (seconds * sampleRate);
    out.resize (std::max (out.size(), first + length), 0.0f);
    const double attack = 0.01 * sampleRate, release = 0.03 * sampleRate;
    for (int n = 1; n <= partials && n * midiToHz (midiNote) < 0.45 * sampleRate; ++n)
    {
        // Sine recursion s[i] = 2 cos(w) s[i-1] - s[i-2]: exact enough, much faster than sin().
        const double w = 2.0 * M_PI * n * midiToHz (midiNote) / sampleRate;
        const double twoCos = 2.0 * std::cos (w);
        double previous = -std::sin (w), current = 0.0;
        for (size_t i = 0; i < length; ++i)
        {
            const auto t = static_cast<double> (i);
            const double envelope = std::min ({ 1.0, t / attack, (static_cast<double> (length) - t) / release }) *
                                    std::exp (-t / (2.0 * sampleRate));
            out[first + i] += static_cast<float> (amplitude / n * envelope * current);
            const double next = twoCos * current - previous;
            previous = current;
            current = next;
        }
    }
}

int argMax (const ChromaVector& chroma)
{
    return static_cast<int> (std::max_element (chroma.begin(), chroma.end()) - chroma.begin());
}
} // namespace

TEST_CASE ("Chroma puts a pure A4 on A at every sample rate", "[features][harmony]")
{
    const auto sampleRate = GENERATE (44100.0, 8000.0, 192000.0);
    for (const auto& frame : analyse (sine (sampleRate, 440.0, 0.5f), sampleRate))
    {
        CHECK (argMax (frame.chroma) == 9);
        CHECK (frame.chroma[9] >= 0.8f);
        CHECK (std::accumulate (frame.chroma.begin(), frame.chroma.end(), 0.0f) == Approx (1.0f).epsilon (1e-5));
    }
}

TEST_CASE ("Chroma puts C5 on C and splits a detuned tone by cents", "[features][harmony]")
{
    for (const auto& frame : analyse (sine (44100.0, 523.25, 0.5f), 44100.0))
        CHECK (argMax (frame.chroma) == 0);

    // 25 cents above A4: cos^2 (pi/8) = 0.854 to A, sin^2 (pi/8) = 0.146 to A#.
    for (const auto& frame : analyse (sine (44100.0, 440.0 * std::pow (2.0, 25.0 / 1200.0), 0.5f), 44100.0))
    {
        CHECK (frame.chroma[9] == Approx (0.854f).margin (0.02));
        CHECK (frame.chroma[10] == Approx (0.146f).margin (0.02));
    }
}

TEST_CASE ("Chroma of a C major triad has C, E and G on top", "[features][harmony]")
{
    std::vector<float> triad;
    for (const int note : { 60, 64, 67 })
        addNote (triad, 44100.0, 0.0, 1.0, note, 0.2f, 4);

    const auto frames = analyse (triad, 44100.0);
    for (size_t f = 2; f + 2 < frames.size(); ++f) // skip the attack and release
    {
        const auto& chroma = frames[f].chroma;
        const float weakestChordTone = std::min ({ chroma[0], chroma[4], chroma[7] });
        for (const size_t other : { 1u, 2u, 3u, 5u, 6u, 8u, 9u, 10u, 11u })
            CHECK (chroma[other] < weakestChordTone);
    }
}

TEST_CASE ("Silence gives all-zero chroma and finite MFCCs", "[features][harmony]")
{
    const auto sampleRate = GENERATE (44100.0, 8000.0, 192000.0);
    for (const auto& frame : analyse (std::vector<float> (static_cast<size_t> (sampleRate / 4)), sampleRate))
    {
        CHECK (*std::max_element (frame.chroma.begin(), frame.chroma.end()) == 0.0f);
        // Every band sits on the floor: c0 = sqrt(40) ln(1e-10), the rest 0.
        CHECK (frame.mfcc[0] == Approx (std::sqrt (40.0) * std::log (1.0e-10)).epsilon (1e-5));
        for (size_t c = 1; c < frame.mfcc.size(); ++c)
            CHECK (frame.mfcc[c] == Approx (0.0).margin (1e-3));
    }
}

TEST_CASE ("Doubling the level raises c0 by sqrt(40) ln 4 and leaves the shape alone", "[features][harmony]")
{
    auto quiet = noise (0.25f, 44100);
    auto loud = quiet;
    for (auto& sample : loud)
        sample *= 2.0f;

    // Every band's power x4, so every log power +ln 4; the orthonormal DCT's row 0 is
    // sqrt(1/40) everywhere: c0 += 40 sqrt(1/40) ln 4 = 8.768. Rows 1..12 sum to 0.
    const double expectedRise = std::sqrt (40.0) * std::log (4.0);
    const auto quietFrames = analyse (quiet, 44100.0);
    const auto loudFrames = analyse (loud, 44100.0);
    REQUIRE (quietFrames.size() == loudFrames.size());
    for (size_t f = 0; f < quietFrames.size(); ++f)
    {
        CHECK (loudFrames[f].mfcc[0] - quietFrames[f].mfcc[0] == Approx (expectedRise).epsilon (0.01));
        for (size_t c = 1; c < FeatureFrame::numMfcc; ++c)
            CHECK (loudFrames[f].mfcc[c] == Approx (quietFrames[f].mfcc[c]).margin (1e-3));
    }
}

TEST_CASE ("White noise has a flat mel spectrum and finite MFCCs at full scale", "[features][harmony]")
{
    const auto sampleRate = GENERATE (44100.0, 8000.0, 192000.0);
    const auto frames = analyse (noise (1.0f, static_cast<int> (sampleRate)), sampleRate);
    MfccVector mean {};
    for (const auto& frame : frames)
    {
        CHECK (std::all_of (frame.mfcc.begin(), frame.mfcc.end(), [] (float v) { return std::isfinite (v); }));
        for (size_t c = 0; c < mean.size(); ++c)
            mean[c] += frame.mfcc[c] / static_cast<float> (frames.size());
    }
    // Unit-sum triangles read mean power, the same in every band for white noise; what
    // is left is the estimation bias of narrow (few-bin) bands.
    for (size_t c = 1; c < mean.size(); ++c)
        CHECK (std::abs (mean[c]) < 0.5f);
}

TEST_CASE ("c1 is positive for a low tone and negative for a high one", "[features][harmony]")
{
    // DCT row 1 is sqrt(2/40) cos (pi (b + 0.5) / 40): positive over the lower 20 bands,
    // negative above, and it sums to 0, so the floor drops out. A pure tone lifts only
    // its own bands, ~20 (ln units) above the floor: 200 Hz peaks band 1 (cos ~ +1, over
    // ~3 bands: c1 ~ +15), 4 kHz band 25 (cos ~ -0.4, 2 bands: c1 ~ -4.5).
    const auto low = analyse (sine (44100.0, 200.0, 0.5f), 44100.0);
    const auto high = analyse (sine (44100.0, 4000.0, 0.5f), 44100.0);
    for (size_t f = 0; f < low.size(); ++f)
    {
        CHECK (low[f].mfcc[1] > 10.0f);
        CHECK (high[f].mfcc[1] < -3.0f);
    }
}

TEST_CASE ("MFCC, chroma and key do not allocate per frame", "[features][harmony]")
{
    const auto signal = noise (0.5f, 2048);
    Spectrum spectrum;
    Mfcc mfcc;
    Chroma chroma;
    Key key;
    spectrum.prepare (2048);
    mfcc.prepare (44100.0, 2048);
    chroma.prepare (44100.0, 2048);
    spectrum.analyse (signal.data());

    MfccVector coefficients;
    ChromaVector pitchClasses;
    const test::ScopedAllocationGuard guard;
    mfcc.compute (spectrum.magnitudes(), coefficients);
    chroma.compute (spectrum.magnitudes(), pitchClasses);
    key.addChroma (pitchClasses, 0.5f);
    const auto estimate = key.estimate();
    if (test::ScopedAllocationGuard::isActive())
    {
        CHECK (guard.allocations() == 0);
        CHECK (guard.locks() == 0);
    }
    CHECK (estimate.confidence >= 0.0f);
}

namespace
{
struct Chord
{
    int root; // semitones above the tonic
    bool isMinor;
};

/** Block chords, 0.6 s each: a bass an octave below the root plus a close triad
    (root, third, fifth) whose root lies in G3..F#4 for the tonic. */
std::vector<float> chordProgression (int tonic, std::initializer_list<Chord> chords, double sampleRate)
{
    const int tonicNote = 55 + (tonic + 5) % 12;
    std::vector<float> out;
    double time = 0.0;
    for (const auto& chord : chords)
    {
        const int root = tonicNote + chord.root;
        addNote (out, sampleRate, time, 0.6, root - 12, 0.2f);
        for (const int interval : { 0, chord.isMinor ? 3 : 4, 7 })
            addNote (out, sampleRate, time, 0.6, root + interval, 0.15f);
        time += 0.6;
    }
    return out;
}

/** I-IV-V-I, or i-iv-V-i with the harmonic minor's major dominant. */
std::vector<float> cadence (int tonic, bool isMinor, double sampleRate)
{
    return chordProgression (tonic, { { 0, isMinor }, { 5, isMinor }, { 7, false }, { 0, isMinor } }, sampleRate);
}

using Scale = std::array<int, 8>;
constexpr Scale majorScale { 0, 2, 4, 5, 7, 9, 11, 12 };
constexpr Scale harmonicMinorScale { 0, 2, 3, 5, 7, 8, 11, 12 };
constexpr Scale naturalMinorScale { 0, 2, 3, 5, 7, 8, 10, 12 };

/** One octave up and down from the tonic, 0.25 s a note, the last held 0.5 s. */
std::vector<float> scaleRun (int tonic, const Scale& steps, double sampleRate)
{
    const int tonicNote = 55 + (tonic + 5) % 12;
    std::vector<float> out;
    double time = 0.0;
    for (int i = 0; i < 15; ++i)
    {
        const int step = steps[static_cast<size_t> (i < 8 ? i : 14 - i)];
        const double length = i == 14 ? 0.5 : 0.25;
        addNote (out, sampleRate, time, length, tonicNote + step, 0.3f);
        time += length;
    }
    return out;
}

KeyEstimate findKey (const std::vector<float>& signal, double sampleRate, bool weightByRms = true)
{
    Key key;
    for (const auto& frame : analyse (signal, sampleRate))
        key.addChroma (frame.chroma, weightByRms ? frame.rms : 1.0f);
    return key.estimate();
}
} // namespace

TEST_CASE ("Key names use sharps", "[features][harmony]")
{
    CHECK (KeyEstimate { 9, true, 0.5f }.name() == "A minor");
    CHECK (KeyEstimate { 6, false, 0.5f }.name() == "F# major");
    CHECK (KeyEstimate { 0, false, 0.0f }.name() == "C major");
    CHECK (KeyEstimate { 10, true, 0.0f }.name() == "A# minor");
}

TEST_CASE ("Key of nothing, or of silence, is C major with no confidence", "[features][harmony]")
{
    Key key;
    CHECK (key.estimate().confidence == 0.0f);
    key.addChroma (ChromaVector {}, 1.0f);
    CHECK (key.estimate().name() == "C major");
    CHECK (key.estimate().confidence == 0.0f);
    CHECK (key.correlation (0, false) == 0.0);
}

TEST_CASE ("Key finds all 24 keys from cadences and scale runs", "[features][harmony]")
{
    constexpr double sampleRate = 44100.0;
    // [kind][0: frames weighted by RMS, 1: weight 1]; kinds: cadence, scale run
    // (major / harmonic minor), natural-minor run (minor keys only: 12 cases).
    int right[3][2] {};
    float lowestConfidence = 1.0f;
    for (int tonic = 0; tonic < 12; ++tonic)
    {
        for (const bool isMinor : { false, true })
        {
            const KeyEstimate truth { tonic, isMinor, 1.0f };
            const std::vector<float> signals[] { cadence (tonic, isMinor, sampleRate),
                                                 scaleRun (tonic, isMinor ? harmonicMinorScale : majorScale,
                                                           sampleRate),
                                                 scaleRun (tonic, naturalMinorScale, sampleRate) };
            for (size_t kind = 0; kind < (isMinor ? 3u : 2u); ++kind)
            {
                for (const bool weightByRms : { true, false })
                {
                    const auto found = findKey (signals[kind], sampleRate, weightByRms);
                    const bool correct = found.tonic == tonic && found.isMinor == isMinor;
                    right[kind][weightByRms ? 0 : 1] += correct ? 1 : 0;
                    lowestConfidence = std::min (lowestConfidence, found.confidence);
                    if (! correct)
                        WARN ("signal " << kind << " in " << truth.name() << " read as " << found.name());
                }
            }
        }
    }

    WARN ("key accuracy (RMS-weighted / weight 1): cadences "
          << right[0][0] << " / " << right[0][1] << " of 24, scale runs " << right[1][0] << " / " << right[1][1]
          << " of 24, natural-minor runs " << right[2][0] << " / " << right[2][1] << " of 12; lowest confidence "
          << lowestConfidence);
    CHECK (right[0][0] == 24);
    CHECK (right[0][0] + right[1][0] >= 44); // >= 90 % of the 48
    CHECK (right[2][0] >= 11);
    CHECK (right[0][1] + right[1][1] >= 44);
}

TEST_CASE ("Relative keys: C major and A minor cadences are told apart", "[features][harmony]")
{
    const auto sampleRate = GENERATE (44100.0, 8000.0, 192000.0);
    // I-IV-V-I and I-vi-IV-V-I in C; i-iv-V-i and i-VI-iv-V-i in A: the same chords as
    // C's but for E major's G#.
    const std::vector<float> inC[] {
        cadence (0, false, sampleRate),
        chordProgression (0, { { 0, false }, { 9, true }, { 5, false }, { 7, false }, { 0, false } }, sampleRate)
    };
    const std::vector<float> inA[] {
        cadence (9, true, sampleRate),
        chordProgression (9, { { 0, true }, { 8, false }, { 5, true }, { 7, false }, { 0, true } }, sampleRate)
    };
    for (const auto& signal : inC)
    {
        const auto found = findKey (signal, sampleRate);
        CHECK (found.name() == "C major");
        CHECK (found.confidence > 0.1f);
    }
    for (const auto& signal : inA)
    {
        const auto found = findKey (signal, sampleRate);
        CHECK (found.name() == "A minor");
        CHECK (found.confidence > 0.1f);
    }
}

TEST_CASE ("Key of white noise has little confidence", "[features][harmony]")
{
    const auto found = findKey (noise (0.5f, 88200), 44100.0);
    CHECK (found.confidence < 0.1f);
}
