import { z } from 'zod';
import { computeDeadlines, milestoneRules, parseClockSpan, regimes, rulesFor, type ClockOptions, type ClockSpan, type Regime } from './clock-rules';

/**
 * `response.clocks` of argus.config.yaml: `<regime>.<milestone>: <window>` overrides a milestone's
 * window with a stricter internal target (an ISO-8601 duration such as PT48H, P1M, or business days
 * written 4BD), and `holidays` lists dates (YYYY-MM-DD) that business days skip. A window longer
 * than the law's is refused: a clock must never tell people they have more time than they do.
 * Kept apart from src/config/file-schema.ts, which imports it (so it must not import that file).
 */

const window = z.string().refine((text) => parseClockSpan(text) !== undefined, 'must be an ISO-8601 duration such as PT48H or P1M, or business days such as 4BD');

const regimeSchema = (regime: Regime) =>
  z.strictObject(Object.fromEntries(rulesFor(regime).map((r) => [r.milestone, window.optional()])) as Record<string, z.ZodOptional<typeof window>>).optional();

/** Instants the configured windows are compared with the law's at (a Friday evening, a month's end, a Monday). */
const probes = ['2026-01-30T18:00:00Z', '2026-02-02T00:00:00Z', '2026-07-31T23:00:00Z'].map((t) => new Date(t));

export const clocksConfigSchema = z
  .strictObject({
    ...(Object.fromEntries(regimes.map((r) => [r, regimeSchema(r)])) as Record<Regime, ReturnType<typeof regimeSchema>>),
    holidays: z.array(z.iso.date()).max(1000).default([]),
  })
  .superRefine((cfg, ctx) => {
    const options = clockOptions(cfg);
    for (const rule of milestoneRules) {
      const key = `${rule.regime}.${rule.milestone}`;
      if (!options.overrides?.[key]) continue;
      const later = probes.some((awareAt) => {
        const legal = computeDeadlines(rule.regime, { awareAt }, { holidays: options.holidays }).find((d) => d.rule === rule)!;
        const configured = computeDeadlines(rule.regime, { awareAt }, options).find((d) => d.rule === rule)!;
        return configured.dueAt.getTime() - configured.startAt.getTime() > legal.dueAt.getTime() - legal.startAt.getTime();
      });
      if (later) ctx.addIssue({ code: 'custom', path: [rule.regime, rule.milestone], message: `is longer than the legal window (${rule.source}); configure only stricter targets` });
    }
  });
export type ClocksConfig = z.output<typeof clocksConfigSchema>;

/** The configured windows and holidays as computeDeadlines takes them. */
export function clockOptions(cfg: Partial<ClocksConfig> | undefined): ClockOptions {
  const overrides: Record<string, ClockSpan> = {};
  for (const regime of regimes)
    for (const [milestone, text] of Object.entries(cfg?.[regime] ?? {})) {
      const span = typeof text === 'string' ? parseClockSpan(text) : undefined;
      if (span) overrides[`${regime}.${milestone}`] = span;
    }
  return { overrides, holidays: new Set(cfg?.holidays ?? []) };
}
