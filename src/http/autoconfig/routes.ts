import type { FastifyInstance, FastifyReply } from 'fastify';
import { appleMobileconfig } from './apple-profile.js';
import { mailServices, parseDomain, parseEmail, type ConfigReader } from './mail-services.js';
import { autodiscoverPox, autodiscoverV2, poxRequestAddress } from './outlook.js';
import { srvRecords } from './srv-records.js';
import { thunderbirdConfig } from './thunderbird.js';

type Query = Record<string, string | undefined>;

const XML = 'application/xml; charset=utf-8';

function badRequest(reply: FastifyReply, what: string) {
  return reply.code(400).type('text/plain; charset=utf-8').send(`${what}\n`);
}

/**
 * Client autoconfiguration over HTTP, generated per request from the live listener settings:
 * Thunderbird (`/.well-known/autoconfig/mail/config-v1.1.xml`, and `/mail/config-v1.1.xml` for
 * the `autoconfig.<domain>` host), Outlook autodiscover v1 (POX) and v2 (JSON), an Apple profile
 * per address, and the SRV records for a domain. Call before the instance is ready.
 */
export function registerAutoconfigRoutes(fastify: FastifyInstance, app: { config: ConfigReader }): void {
  const services = () => mailServices(app.config);

  const thunderbird = async (req: { query: unknown; hostname: string }, reply: FastifyReply) => {
    const q = req.query as Query;
    const host = req.hostname.replace(/:\d+$/, '');
    const domain =
      parseEmail(q.emailaddress)?.domain ??
      parseDomain(host.startsWith('autoconfig.') ? host.slice(11) : host);
    if (!domain) return badRequest(reply, 'give ?emailaddress=ADDRESS');
    return reply.type(XML).send(thunderbirdConfig(services(), domain));
  };
  fastify.get('/.well-known/autoconfig/mail/config-v1.1.xml', thunderbird);
  fastify.get('/mail/config-v1.1.xml', thunderbird);

  fastify.register(async (scope) => {
    // Scoped to these routes: the rest of the API takes JSON only.
    scope.addContentTypeParser(
      ['text/xml', 'application/xml'],
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_req, body, done) => done(null, body),
    );
    const pox = async (req: { body: unknown }, reply: FastifyReply) => {
      const email = parseEmail(poxRequestAddress(typeof req.body === 'string' ? req.body : ''));
      if (!email) return badRequest(reply, 'the request has no valid <EMailAddress>');
      return reply.type(XML).send(autodiscoverPox(services(), email.address));
    };
    scope.post('/autodiscover/autodiscover.xml', pox);
    scope.post('/Autodiscover/Autodiscover.xml', pox);
  });

  const v2 = async (req: { query: unknown }, reply: FastifyReply) => {
    const { status, body } = autodiscoverV2(services().hostname, (req.query as Query).Protocol);
    return reply.code(status).send(body);
  };
  fastify.get('/autodiscover/autodiscover.json', v2);
  fastify.get('/autodiscover/autodiscover.json/v1.0/:email', v2);

  fastify.get('/autoconfig/mail.mobileconfig', async (req, reply) => {
    const email = parseEmail((req.query as Query).email);
    if (!email) return badRequest(reply, 'give ?email=ADDRESS');
    const profile = appleMobileconfig(services(), email.address);
    if (!profile)
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('no IMAP/POP3 or submission listener is on\n');
    return reply
      .type('application/x-apple-aspen-config')
      .header('content-disposition', `attachment; filename="${email.domain}.mobileconfig"`)
      .send(profile);
  });

  fastify.get('/autoconfig/srv-records.txt', async (req, reply) => {
    const domain = parseDomain((req.query as Query).domain);
    if (!domain) return badRequest(reply, 'give ?domain=DOMAIN');
    return reply.type('text/plain; charset=utf-8').send(srvRecords(services(), domain).join('\n') + '\n');
  });
}
