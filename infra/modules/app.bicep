// App Service (Linux, Node LTS) running `argus serve`, with Argus's user-assigned managed identity.
// Several instances share one Table Storage account: the audit chain, the durable intake
// (queue consumers) and the card delivery (leases) are built for that.

param name string
param location string
param tags object
@description('Resource id of Argus\'s user-assigned managed identity.')
param identityId string
@description('Client id of that identity: the bot app id, and the identity DefaultAzureCredential uses.')
param identityClientId string
param sku string = 'P1v3'
@minValue(1)
@maxValue(30)
param instanceCount int = 2
param linuxFxVersion string = 'NODE|20-lts'
param storageTableEndpoint string
param keyVaultUri string
param appInsightsConnectionString string
param logAnalyticsWorkspaceId string
@allowed(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
param logLevel string = 'info'

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'asp-${name}'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: sku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      appCommandLine: 'node bin/argus.js serve'
      alwaysOn: true
      // /readyz answers 503 while storage (or Key Vault) does not: the instance is taken out of rotation.
      healthCheckPath: '/readyz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        // The environment Argus reads (src/config/env-schema.ts). PORT is set by App Service.
        { name: 'NODE_ENV', value: 'production' }
        { name: 'LOG_LEVEL', value: logLevel }
        { name: 'ARGUS_CONFIG', value: '/home/site/wwwroot/argus.config.yaml' }
        { name: 'ARGUS_STORAGE_ACCOUNT_URL', value: storageTableEndpoint }
        { name: 'ARGUS_KEY_VAULT_URL', value: keyVaultUri }
        { name: 'MICROSOFT_APP_ID', value: identityClientId }
        { name: 'MICROSOFT_APP_TYPE', value: 'UserAssignedMSI' }
        { name: 'MICROSOFT_APP_TENANT_ID', value: tenant().tenantId }
        // DefaultAzureCredential picks this user-assigned identity (storage, Key Vault, ARM, Graph).
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'ApplicationInsightsAgent_EXTENSION_VERSION', value: '~3' }
        // The package is built before upload (npm ci --omit=dev); nothing is built on the server.
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
      ]
    }
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'AppServiceConsoleLogs', enabled: true }
      { category: 'AppServiceHTTPLogs', enabled: true }
      { category: 'AppServicePlatformLogs', enabled: true }
    ]
  }
}

output hostName string = site.properties.defaultHostName
output url string = 'https://${site.properties.defaultHostName}'
output siteName string = site.name
