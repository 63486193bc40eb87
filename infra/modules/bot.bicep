// Azure Bot for Teams. Its identity is Argus's user-assigned managed identity
// (MICROSOFT_APP_TYPE=UserAssignedMSI): no client secret exists to leak or rotate.

param name string
param tags object
param identityId string
param identityClientId string
@description('https://<argus>/api/messages')
param messagingEndpoint string
@allowed(['F0', 'S1'])
param sku string = 'S1'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: sku }
  properties: {
    displayName: 'Argus'
    endpoint: messagingEndpoint
    msaAppId: identityClientId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: identityId
    msaAppTenantId: tenant().tenantId
    disableLocalAuth: true
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

output botName string = bot.name
