#pragma once

#include "Cli/FileAnalysis.h"

#include <ostream>

namespace earshot::cli
{

/** How `earshot analyze` writes what it found. Any thread. */
namespace ReportFormat
{
/** A few readable lines per file. Each function writes only the families of
    FileReport::families (the columns of a CSV header: those of `families`). */
void writeText (const FileReport& report, std::ostream& out);

/** One JSON object per file (with the frame series when it was kept). */
juce::var toJson (const FileReport& report);

/** CSV: the header row, then one row per file (the summary). */
void writeSummaryCsvHeader (FeatureFamilies families, std::ostream& out);
void writeSummaryCsvRow (const FileReport& report, std::ostream& out);

/** CSV of the frame series: the header row, then one row per frame. */
void writeFramesCsvHeader (FeatureFamilies families, std::ostream& out);
void writeFramesCsvRows (const FileReport& report, std::ostream& out);
} // namespace ReportFormat

} // namespace earshot::cli
