/**
 * The request-forgery guard for webhook URLs (contract section 7): only https, and nothing on private, loopback or
 * link-local addresses unless WEBHOOK_ALLOW_PRIVATE — then http to such addresses is allowed too. The check runs when
 * a subscription is made and again on every connection (the DNS answer may change: rebinding), through `guardedLookup`.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Ranges a webhook must not reach unless private targets are allowed. */
const NON_PUBLIC = new Set(['private', 'loopback', 'linkLocal', 'uniqueLocal', 'unspecified', 'carrierGradeNat', 'reserved', 'broadcast', 'multicast']);

/** True for an address outside the public internet (an IPv4-mapped IPv6 address counts as its IPv4). */
export function isNonPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return NON_PUBLIC.has(ip.range());
}

export class UrlNotAllowedError extends Error {}

/** Resolves every address of `host` (an IP literal resolves to itself). */
async function addressesOf(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(bare)) return [bare];
  const answers = await dns.promises.lookup(bare, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

/**
 * Refuses a URL the product must not call: a scheme other than https (http only to private addresses when allowed),
 * credentials in the URL, or a host that resolves to a non-public address while those are not allowed.
 */
export async function assertWebhookUrlAllowed(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlNotAllowedError('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UrlNotAllowedError('only https:// URLs are allowed');
  if (url.username || url.password) throw new UrlNotAllowedError('credentials in the URL are not allowed; the payload is signed instead');
  let addresses: string[];
  try {
    addresses = await addressesOf(url.hostname);
  } catch {
    throw new UrlNotAllowedError(`host ${url.hostname} does not resolve`);
  }
  const nonPublic = addresses.some(isNonPublicAddress);
  if (url.protocol === 'http:' && !(allowPrivate && addresses.every(isNonPublicAddress))) {
    throw new UrlNotAllowedError(
      allowPrivate ? 'http:// is allowed only to private or loopback addresses; use https://' : 'only https:// URLs are allowed',
    );
  }
  if (nonPublic && !allowPrivate) {
    throw new UrlNotAllowedError(`${url.hostname} resolves to a private, loopback or link-local address, which webhooks may not call`);
  }
  return url;
}

/**
 * A DNS lookup for outgoing webhook connections that refuses non-public answers (unless allowed), so a name that
 * resolved to a public address when the subscription was made cannot be pointed at the internal network later.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as dns.LookupAddress[];
      const refused = !allowPrivate && list.some((a) => isNonPublicAddress(a.address));
      if (refused || list.length === 0) {
        const e = new UrlNotAllowedError(`${hostname} resolves to an address webhooks may not call`) as NodeJS.ErrnoException;
        e.code = 'EADDRNOTALLOWED';
        return callback(e, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}
