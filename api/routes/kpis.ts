/**
 * The KPI report (contract section 11): for the orders submitted in a period, counts by outcome, touchless and
 * first-pass rates, cycle time, and per department the queue times and what waiting cost. JSON, or CSV.
 * Management, auditors and admins read it: it shows every department's figures.
 */
import { stringify } from 'csv-stringify/sync';
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { KPI_CSV_COLUMNS, kpiCsvRows } from '../../domain/kpis';
import { sendCsv, wantsCsv } from '../csv';
import { authProblems, jsonOrCsv, problemResponses } from '../schemas/common';
import { kpiQuery, kpiReport } from '../schemas/kpis';
import { kpisOf, resolvePeriod } from '../services/kpis';
import { zoneOf } from '../services/period';

const kpiRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/kpis',
    {
      config: { roles: ['admin', 'auditor', 'approver:management'] },
      schema: {
        tags: ['insight'],
        summary: 'KPIs of the orders submitted in a period (JSON, or CSV with Accept: text/csv or format=csv)',
        description:
          'Read from the event log. touchlessRate: approved with no step waiting for a person, over finished orders; ' +
          'firstPassRate: approved with no amendment, over finished orders; cycle time: submitted → outcome; queue time: a step ' +
          'starting to wait → its department answering; pickup time: a step starting to wait → a person of its department taking it up (a ' +
          'self-claim or the answer). `stages` is the policy\'s review plan, to draw the cycle with. Percentiles are nearest-rank, in seconds. With groupBy, one group per key ' +
          '(days: every day of the period, in the policy calendar zone). The CSV has one row per group (`all` for the totals) and ' +
          'scope (`orders`, or a department). Requires admin, auditor or approver:management.',
        querystring: kpiQuery,
        response: { 200: jsonOrCsv(kpiReport, 'The KPI report'), ...problemResponses(400), ...authProblems },
      },
    },
    async (request, reply) => {
      const timeZone = zoneOf(app.policy);
      const period = resolvePeriod(request.query, timeZone);
      const report = kpisOf(app.db, period, { groupBy: request.query.groupBy, timeZone });
      if (wantsCsv(request, request.query.format)) {
        const csv = stringify(kpiCsvRows(report), { header: true, columns: [...KPI_CSV_COLUMNS] });
        return sendCsv(reply, csv, `kpis-${period.from.slice(0, 10)}-${period.to.slice(0, 10)}.csv`);
      }
      reply.header('vary', 'Accept');
      return { ...report, stages: app.policy.stages };
    },
  );
};

export default kpiRoutes;
