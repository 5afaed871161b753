/**
 * `/docs`: Swagger UI served by the app itself from the `swagger-ui-dist` package, so the page loads no
 * asset from any other host and works with the network off.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
} as const

export type DocsAsset = keyof typeof ASSETS

export const DOCS_ASSETS = Object.keys(ASSETS) as DocsAsset[]

const cache = new Map<DocsAsset, Buffer>()

/** One Swagger UI file and its content type, read once from the installed package. */
export function docsAsset(name: DocsAsset): { body: Buffer; type: string } {
  let body = cache.get(name)
  if (!body) {
    const folder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
    body = readFileSync(join(folder, name))
    cache.set(name, body)
  }
  return { body, type: ASSETS[name] }
}

/** The Swagger UI page (FastAPI's `get_swagger_ui_html`), pointing at this server's own assets. */
export function docsPage(title: string, docsUrl: string, openapiUrl: string): string {
  const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
  // validatorUrl: null, or Swagger UI would send the document to validator.swagger.io.
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<link type="text/css" rel="stylesheet" href="${escape(docsUrl)}/swagger-ui.css">
<link rel="shortcut icon" href="${escape(docsUrl)}/favicon-32x32.png">
<title>${escape(title)} - Swagger UI</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="${escape(docsUrl)}/swagger-ui-bundle.js"></script>
<script>
const ui = SwaggerUIBundle({
  url: ${JSON.stringify(openapiUrl).replaceAll('<', '\\u003c')},
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
})
</script>
</body>
</html>
`
}
