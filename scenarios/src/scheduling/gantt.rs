//! A Gantt chart of a schedule as a self-contained SVG (written by hand: no dependency).

use twin_models::scheduling::{Instance, Schedule};

const LEFT: f64 = 60.0;
const TOP: f64 = 36.0;
const ROW: f64 = 26.0;
const WIDTH: f64 = 1000.0;

/// The fill colour of job `job` of `jobs`: hues spread by the golden angle, so neighbouring
/// jobs differ.
fn colour(job: usize) -> String {
    let hue = (job as f64 * 137.507_764) % 360.0;
    format!("hsl({hue:.0},65%,62%)")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An SVG Gantt chart: one row per machine, one bar per operation from its start to its end,
/// coloured and labelled by job, a time axis, and a title with the instance and the makespan.
/// `times[k][i]` is the `(start, end)` of the `i`-th operation on machine `k` (as
/// [`Evaluator::times_by_machine`](twin_models::scheduling::Evaluator::times_by_machine)
/// returns them).
pub fn svg(instance: &Instance, schedule: &Schedule, times: &[Vec<(u64, u64)>]) -> String {
    let machines = schedule.machines.len().max(instance.machines());
    let makespan = times
        .iter()
        .flatten()
        .map(|t| t.1)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = WIDTH / makespan as f64;
    let height = TOP + ROW * machines as f64 + 40.0;
    let total = LEFT + WIDTH + 20.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {total:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n"
    );
    out.push_str(&format!(
        "<text x=\"{LEFT}\" y=\"20\" font-size=\"14\">{} ({}): makespan {}</text>\n",
        escape(instance.name()),
        instance.size(),
        times.iter().flatten().map(|t| t.1).max().unwrap_or(0)
    ));
    for k in 0..machines {
        let y = TOP + ROW * k as f64;
        out.push_str(&format!(
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">M{k}</text>\n",
            LEFT - 8.0,
            y + ROW * 0.65
        ));
        let Some(sequence) = schedule.machines.get(k) else {
            continue;
        };
        for (i, op) in sequence.iter().enumerate() {
            let Some(&(start, end)) = times.get(k).and_then(|t| t.get(i)) else {
                continue;
            };
            let x = LEFT + start as f64 * scale;
            let w = ((end - start) as f64 * scale).max(0.5);
            out.push_str(&format!(
                "<rect x=\"{x:.2}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{:.1}\" fill=\"{}\" stroke=\"#333\" stroke-width=\"0.5\"><title>job {} operation {}: {start}–{end}</title></rect>\n",
                y + 2.0,
                ROW - 4.0,
                colour(op.job),
                op.job,
                op.operation
            ));
            if w >= 14.0 {
                out.push_str(&format!(
                    "<text x=\"{:.2}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                    x + w / 2.0,
                    y + ROW * 0.65,
                    op.job
                ));
            }
        }
    }
    // Time axis with about ten ticks at round numbers.
    let axis = TOP + ROW * machines as f64 + 6.0;
    out.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{axis:.1}\" x2=\"{:.0}\" y2=\"{axis:.1}\" stroke=\"#333\"/>\n",
        LEFT + WIDTH
    ));
    let raw = makespan as f64 / 10.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|f| f * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(raw)
        .max(1.0);
    let mut t = 0.0;
    while t <= makespan as f64 {
        let x = LEFT + t * scale;
        out.push_str(&format!(
            "<line x1=\"{x:.2}\" y1=\"{axis:.1}\" x2=\"{x:.2}\" y2=\"{:.1}\" stroke=\"#333\"/><text x=\"{x:.2}\" y=\"{:.1}\" text-anchor=\"middle\">{t}</text>\n",
            axis + 4.0,
            axis + 16.0
        ));
        t += step;
    }
    out.push_str("</svg>\n");
    out
}
