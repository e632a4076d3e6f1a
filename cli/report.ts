/**
 * npm run report -- --in <file> [--event-log] --format md|json|sarif|junit|text [--out <file>]
 * Re-renders a policy:check JSON report, or builds one from a Pulumi engine event log.
 * Exit 0 rendered and no mandatory violation, 1 mandatory violations, 2 unreadable input.
 */
import {
    CannotRun,
    emit,
    readInput,
    EXIT_FAILED,
    EXIT_OK,
    main,
    oneOf,
    parseFlags,
} from "../lib/cli";
import { FORMATS, render } from "../policies/render";
import { parseReport, ReportInputError, reportFromEventLog } from "../policies/report/read";

const USAGE =
    "npm run report -- --in <file> [--event-log] [--format md|json|sarif|junit|text] [--out <file>]";

main("report", async () => {
    const { values } = parseFlags(
        process.argv.slice(2),
        {
            in: { type: "string" },
            "event-log": { type: "boolean" },
            format: { type: "string" },
            out: { type: "string" },
        },
        USAGE,
    );
    const format = oneOf("format", values.format, FORMATS, "md");
    if (!values.in) throw new CannotRun(`--in <file> is required\nusage: ${USAGE}`);
    const text = readInput(values.in, "--in");
    try {
        const report = values["event-log"]
            ? reportFromEventLog(text, values.in)
            : parseReport(text, values.in);
        emit(render(report, format), values.out);
        return report.summary.verdict === "fail" ? EXIT_FAILED : EXIT_OK;
    } catch (e) {
        if (e instanceof ReportInputError) throw new CannotRun(e.message);
        throw e;
    }
});
