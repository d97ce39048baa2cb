#include "Features/Spectrum.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace earshot;

TEST_CASE ("Spectrum picks an FFT of about 46 ms at every supported rate", "[features][spectrum]")
{
    CHECK (Spectrum::fftSizeFor (8000.0) == 512);
    CHECK (Spectrum::fftSizeFor (22050.0) == 1024);
    CHECK (Spectrum::fftSizeFor (44100.0) == 2048);
    CHECK (Spectrum::fftSizeFor (48000.0) == 2048);
    CHECK (Spectrum::fftSizeFor (96000.0) == 4096);
    CHECK (Spectrum::fftSizeFor (192000.0) == 8192);
}

TEST_CASE ("A sine at a bin centre reads its amplitude at that bin", "[features][spectrum]")
{
    const auto amplitude = GENERATE (1.0f, 0.25f);
    const auto bin = GENERATE (10, 93, 500);
    Spectrum spectrum;
    spectrum.prepare (2048);

    std::vector<float> frame (2048);
    for (size_t i = 0; i < frame.size(); ++i)
        frame[i] = amplitude * static_cast<float> (std::sin (2.0 * M_PI * bin * static_cast<double> (i) / 2048.0));
    spectrum.analyse (frame.data());

    const auto* magnitudes = spectrum.magnitudes();
    CHECK (magnitudes[bin] == Approx (amplitude).epsilon (1e-4));
    // Hann leakage: the neighbours read half, everything two bins away is ~0.
    CHECK (magnitudes[bin + 1] == Approx (amplitude / 2).epsilon (1e-3));
    CHECK (magnitudes[bin + 3] < amplitude * 1e-4f);
    CHECK (std::max_element (magnitudes, magnitudes + spectrum.getNumBins()) - magnitudes == bin);
}

TEST_CASE ("Silence has an all-zero spectrum", "[features][spectrum]")
{
    Spectrum spectrum;
    spectrum.prepare (1024);
    std::vector<float> frame (1024, 0.0f);
    spectrum.analyse (frame.data());
    CHECK (*std::max_element (spectrum.magnitudes(), spectrum.magnitudes() + spectrum.getNumBins()) == 0.0f);
}
