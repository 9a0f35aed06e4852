/**
 * `corridor data [--scenario FILE] [--sanctions-list FILE [--sanctions-as-of DATE]] [--json]`: the
 * data sets a run uses (with a scenario: its sanctions lists with the overrides resolved, its FX
 * series, the targets and chain profiles; without: every data set shipped in data/), each with its
 * file, source, as-of date and rows.
 */
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { table } from "../table.js";
import { addSanctionsListOptions, sanctionsListFlag } from "../options.js";

export function registerData(program: Command): void {
  const command = program
    .command("data")
    .description("list the data sets a run uses (sanctions lists, FX series, G20 targets, chain profiles): file, source, as-of date, rows")
    .option("--scenario <file>", "the data sets this scenario's run uses, its overrides resolved (default: every shipped data set)")
    .option("--json", "print JSON");
  addSanctionsListOptions(command).action(async (o: { scenario?: string; json?: boolean; sanctionsList?: string; sanctionsAsOf?: string }) => {
    const list = sanctionsListFlag(o);
    const { runDataSets, shippedDataSets, suppliedListUse, withSanctionsList } = await import("../../data/run-data.js");
    let sets;
    if (o.scenario === undefined) {
      // Without a scenario: every shipped data set, after the list given instead of the default one.
      sets = [...(list ? [suppliedListUse(list.file, list.asOf)] : []), ...shippedDataSets()];
    } else {
      const { loadScenario } = await import("../../sim/scenario.js");
      const loaded = loadScenario(o.scenario);
      sets = runDataSets(list ? withSanctionsList(loaded, list.file, list.asOf) : loaded, dirname(resolve(o.scenario)));
    }
    if (o.json) {
      console.log(JSON.stringify(sets, null, 2));
      return;
    }
    console.log(
      table(
        ["data set", "file", "as of", "rows", "used for"],
        sets.map((d) => [
          d.name ?? "(supplied)",
          d.file,
          d.asOf + (d.asOfFrom && d.asOfFrom !== "manifest" ? ` (from ${d.asOfFrom})` : ""),
          d.addresses === undefined ? d.rows : `${d.rows} (${d.addresses} addresses)`,
          d.use.length > 70 ? `${d.use.slice(0, 69)}…` : d.use,
        ]),
      ),
    );
    console.log(`\nSources:\n${sets.map((d) => `  ${d.name ?? d.file}: ${d.source}`).join("\n")}`);
  });
}

