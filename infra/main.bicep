// Argus on Azure: App Service (Linux, Node LTS) with a user-assigned managed identity, Azure Bot
// (Teams channel), Key Vault (RBAC), Storage (tables + queues, identity only), Application
// Insights / Log Analytics, the Sentinel automation rules + Logic App forwarder (managed
// identity, no shared secret), and optionally API Management in front of the webhook.
// Runbook: docs/deploy.md. Parameters: main.parameters.json.

targetScope = 'resourceGroup'

@description('Short name in every resource name: lower-case letters and digits.')
@minLength(3)
@maxLength(12)
param name string = 'argus'

param location string = resourceGroup().location

@description('App Service plan SKU; P1v3 or above for several instances.')
param appServiceSku string = 'P1v3'

@description('Instances of the App Service plan. Argus runs several instances over one storage account.')
@minValue(1)
@maxValue(30)
param instanceCount int = 2

@description('Node LTS runtime.')
param linuxFxVersion string = 'NODE|20-lts'

@description('Name of the Log Analytics workspace Microsoft Sentinel runs on.')
param sentinelWorkspaceName string

@description('Resource group of that workspace (the forwarder and its automation rules go there).')
param sentinelResourceGroup string = resourceGroup().name

@description('Audience of the forwarder\'s tokens: Application ID URI (or client id) of the "Argus webhooks" app registration. Same value as webhookAuth.entra.audience.')
param webhookAudience string

@description('Object id of the "Azure Security Insights" service principal (app id 98785600-1bb7-4fb9-b9fa-19afe2c8a360) in this tenant; empty: grant playbook permissions in the portal.')
param sentinelServicePrincipalObjectId string = ''

@description('Object id of the group (or user) that sets secrets in Key Vault; empty: none assigned.')
param secretsOfficerPrincipalId string = ''

@allowed(['User', 'Group'])
param secretsOfficerPrincipalType string = 'Group'

@description('Put API Management in front of the Sentinel webhook (validate-jwt, rate limit, Key Vault named value). Needs sentinel-webhook-secret in Key Vault first.')
param deployApiManagement bool = false

param apimPublisherEmail string = ''
param apimPublisherName string = 'Argus'

@allowed(['F0', 'S1'])
param botSku string = 'S1'

param tags object = { app: 'argus' }

var suffix = uniqueString(resourceGroup().id)
var appName = 'app-${name}-${suffix}'

resource argusIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${name}'
  location: location
  tags: tags
}

// The Logic App's identity: its object id is what webhookAuth.entra.allowedCallers lists.
resource forwarderIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${name}-forwarder'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'argus-monitoring'
  params: { name: name, location: location, tags: tags }
}

module storage 'modules/storage.bicep' = {
  name: 'argus-storage'
  params: {
    name: take('st${name}${suffix}', 24)
    location: location
    tags: tags
    argusPrincipalId: argusIdentity.properties.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'argus-keyvault'
  params: {
    name: take('kv-${name}-${suffix}', 24)
    location: location
    tags: tags
    argusPrincipalId: argusIdentity.properties.principalId
    secretsOfficerPrincipalId: secretsOfficerPrincipalId
    secretsOfficerPrincipalType: secretsOfficerPrincipalType
  }
}

module app 'modules/app.bicep' = {
  name: 'argus-app'
  params: {
    name: appName
    location: location
    tags: tags
    identityId: argusIdentity.id
    identityClientId: argusIdentity.properties.clientId
    sku: appServiceSku
    instanceCount: instanceCount
    linuxFxVersion: linuxFxVersion
    storageTableEndpoint: storage.outputs.tableEndpoint
    keyVaultUri: keyVault.outputs.vaultUri
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module bot 'modules/bot.bicep' = {
  name: 'argus-bot'
  params: {
    name: 'bot-${name}-${suffix}'
    tags: tags
    identityId: argusIdentity.id
    identityClientId: argusIdentity.properties.clientId
    messagingEndpoint: '${app.outputs.url}/api/messages'
    sku: botSku
  }
}

module apim 'modules/apim.bicep' = if (deployApiManagement) {
  name: 'argus-apim'
  params: {
    name: 'apim-${name}-${suffix}'
    location: location
    tags: tags
    publisherEmail: apimPublisherEmail
    publisherName: apimPublisherName
    argusUrl: app.outputs.url
    keyVaultName: keyVault.outputs.vaultName
    webhookAudience: webhookAudience
    allowedCallers: [forwarderIdentity.properties.principalId]
  }
}

module sentinel 'modules/sentinel-forwarder.bicep' = {
  name: 'argus-sentinel-forwarder'
  scope: resourceGroup(sentinelResourceGroup)
  params: {
    location: location
    tags: tags
    workspaceName: sentinelWorkspaceName
    webhookUrl: deployApiManagement ? apim.outputs.sentinelWebhookUrl : '${app.outputs.url}/api/webhooks/sentinel'
    webhookAudience: webhookAudience
    forwarderIdentityId: forwarderIdentity.id
    forwarderPrincipalId: forwarderIdentity.properties.principalId
    argusPrincipalId: argusIdentity.properties.principalId
    sentinelServicePrincipalObjectId: sentinelServicePrincipalObjectId
  }
}

@description('publicUrl in argus.config.yaml; the bot\'s messaging endpoint is <url>/api/messages.')
output argusUrl string = app.outputs.url
output appName string = app.outputs.siteName
@description('MICROSOFT_APP_ID: the bot id for `npm run package`, and the client id of Argus\'s identity.')
output botAppId string = argusIdentity.properties.clientId
@description('Object id of Argus\'s identity: grant it GroupMember.Read.All and User.Read.All on Microsoft Graph.')
output argusPrincipalId string = argusIdentity.properties.principalId
@description('webhookAuth.entra.allowedCallers')
output forwarderPrincipalId string = forwarderIdentity.properties.principalId
output keyVaultName string = keyVault.outputs.vaultName
output keyVaultUrl string = keyVault.outputs.vaultUri
output storageTableEndpoint string = storage.outputs.tableEndpoint
output botName string = bot.outputs.botName
output tenantId string = tenant().tenantId
