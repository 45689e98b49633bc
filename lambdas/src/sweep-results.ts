/**
 * GET /sweeps/{id}/results: the sweep's score summary (sweeps/<id>/summary/scores.json, as aggregation
 * wrote it) and pre-signed GET links, valid for 15 minutes, to the summary's files: scores.json,
 * scores.csv and report.html (those that exist). 404 when the sweep is unknown or not aggregated yet.
 *
 * 200 { sweepId, summary, links: [{ file, url }], linksExpireAt }.
 *
 * A pre-signed link carries this handler's permissions for that one object; it names the signing
 * access key id (as every pre-signed link does) but never the secret key.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SCORES_CSV, SCORES_JSON } from 'asyncrl/scores/aggregate';
import { sweepPath } from 'asyncrl/sweep/manifest';
import { defaultDeps, type HandlerDeps } from './env.js';
import { apiRoute, deployedRoute, jsonLineLog, notFound, sweepIdParameter, type ApiHandler, type ApiResponse, type LambdaContext } from './http.js';
import { openRoot, sweepFiles } from './sweeps.js';

export const ROUTE = 'GET /sweeps/{id}/results';

/** How long a download link works. */
export const LINK_SECONDS = 15 * 60;
/** The summary's files that get a link, relative to sweeps/<id>/; report.html is named as the report module names it. */
export const SUMMARY_FILES = [SCORES_JSON, SCORES_CSV, 'summary/report.html'] as const;

export function makeHandler(deps: HandlerDeps): ApiHandler {
  return apiRoute(
    ROUTE,
    deps.log ?? jsonLineLog,
    async (request) => {
      const sweepId = sweepIdParameter(request);
      request.sweepId = sweepId;
      const store = openRoot(deps);
      const files = await sweepFiles(store, sweepId);
      const present = files.includes('summary') ? await store.list(sweepPath(sweepId, 'summary')) : [];
      const scores = present.includes('scores.json') ? await store.read(sweepPath(sweepId, SCORES_JSON)) : undefined;
      if (scores === undefined) {
        throw notFound(`sweep ${sweepId} has no summary yet: it is aggregated when its AWS Batch job ends, or on POST /sweeps/${sweepId}/aggregate`);
      }
      const summary = JSON.parse(new TextDecoder().decode(scores)) as unknown;

      const signedAt = deps.now();
      const links = await Promise.all(
        SUMMARY_FILES.filter((file) => present.includes(file.slice('summary/'.length))).map(async (file) => ({
          file,
          url: await getSignedUrl(
            deps.s3,
            new GetObjectCommand({ Bucket: deps.env.resultsBucket, Key: `${deps.env.resultsPrefix}${sweepPath(sweepId, file)}` }),
            { expiresIn: LINK_SECONDS, signingDate: signedAt },
          ),
        })),
      );
      return {
        status: 200,
        body: { sweepId, summary, links, linksExpireAt: new Date(signedAt.getTime() + LINK_SECONDS * 1000).toISOString() },
      };
    },
    deps.env.callerCheck,
  );
}

const deployed = deployedRoute(ROUTE, () => makeHandler(defaultDeps()));

export async function handler(event: unknown, context?: LambdaContext): Promise<ApiResponse> {
  return deployed(event, context);
}
