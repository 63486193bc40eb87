// The Sentinel side, deployed in the Sentinel workspace's resource group:
// automation rules (incident created / updated → run playbook) and the Logic App playbook that
// forwards the "Microsoft Sentinel incident" trigger body to Argus with its managed identity
// (Authorization: Bearer <Entra ID token>, checked by Argus's webhookAuth.entra): no shared
// secret to copy around. Plus the Sentinel roles Argus's own identity needs.

param location string
param tags object
param workspaceName string
@description('POST target: https://<argus or API Management>/api/webhooks/sentinel')
param webhookUrl string
@description('Token audience: webhookAuth.entra.audience (Application ID URI or client id of Argus\'s webhook app registration).')
param webhookAudience string
@description('Resource id of the forwarder\'s user-assigned identity (its object id goes in webhookAuth.entra.allowedCallers).')
param forwarderIdentityId string
param forwarderPrincipalId string
@description('Object id of Argus\'s managed identity.')
param argusPrincipalId string
@description('Object id of the "Azure Security Insights" service principal in this tenant; empty: grant "playbook permissions" in the portal.')
param sentinelServicePrincipalObjectId string = ''
param logicAppName string = 'la-argus-forward-incidents'

var roles = {
  sentinelResponder: '3e150937-b8fe-4cfb-8069-0eaf05ecd056'
  sentinelReader: '8d289c81-5878-46d4-8554-54e1e3d8b5cb'
  logicAppContributor: '87a39d53-fc1b-424a-814c-f7e04687dc9e'
  sentinelAutomationContributor: 'f4c81013-99ee-4d62-a7ee-b3f1f648599a'
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {
  name: workspaceName
}

// The Sentinel connector, authenticated with the Logic App's managed identity (no user consent).
resource sentinelConnection 'Microsoft.Web/connections@2016-06-01' = {
  name: 'azuresentinel-argus'
  location: location
  tags: tags
  properties: {
    displayName: 'Microsoft Sentinel (Argus forwarder)'
    parameterValueType: 'Alternative'
    api: {
      id: subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'azuresentinel')
    }
  }
}

resource forwarder 'Microsoft.Logic/workflows@2019-05-01' = {
  name: logicAppName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${forwarderIdentityId}': {} }
  }
  properties: {
    state: 'Enabled'
    parameters: {
      '$connections': {
        value: {
          azuresentinel: {
            connectionId: sentinelConnection.id
            connectionName: sentinelConnection.name
            id: subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'azuresentinel')
            connectionProperties: {
              authentication: {
                type: 'ManagedServiceIdentity'
                identity: forwarderIdentityId
              }
            }
          }
        }
      }
    }
    definition: {
      '$schema': 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#'
      contentVersion: '1.0.0.0'
      parameters: {
        '$connections': { defaultValue: {}, type: 'Object' }
      }
      triggers: {
        Microsoft_Sentinel_incident: {
          type: 'ApiConnectionWebhook'
          inputs: {
            host: {
              connection: { name: '@parameters(\'$connections\')[\'azuresentinel\'][\'connectionId\']' }
            }
            body: { callback_url: '@{listCallbackUrl()}' }
            path: '/incident-creation'
          }
        }
      }
      actions: {
        Forward_to_Argus: {
          type: 'Http'
          runAfter: {}
          inputs: {
            method: 'POST'
            uri: webhookUrl
            headers: { 'Content-Type': 'application/json' }
            // The whole trigger body (envelope with `object`): Argus maps it and keeps every version once.
            body: '@triggerBody()'
            authentication: {
              type: 'ManagedServiceIdentity'
              identity: forwarderIdentityId
              audience: webhookAudience
            }
          }
          // Argus answers 202 (new) or 200 (duplicate); 5xx and timeouts are retried, redeliveries are harmless.
          retryPolicy: {
            type: 'exponential'
            count: 10
            interval: 'PT10S'
            minimumInterval: 'PT5S'
            maximumInterval: 'PT1H'
          }
        }
      }
      outputs: {}
    }
  }
}

// Incident created and incident updated both run the forwarder: Argus keeps the cards current.
resource onCreated 'Microsoft.SecurityInsights/automationRules@2024-09-01' = {
  name: guid(workspace.id, 'argus-forward-created')
  scope: workspace
  properties: {
    displayName: 'Argus: forward new incidents'
    order: 100
    triggeringLogic: {
      isEnabled: true
      triggersOn: 'Incidents'
      triggersWhen: 'Created'
    }
    actions: [
      {
        order: 1
        actionType: 'RunPlaybook'
        actionConfiguration: {
          logicAppResourceId: forwarder.id
          tenantId: tenant().tenantId
        }
      }
    ]
  }
}

resource onUpdated 'Microsoft.SecurityInsights/automationRules@2024-09-01' = {
  name: guid(workspace.id, 'argus-forward-updated')
  scope: workspace
  properties: {
    displayName: 'Argus: forward incident updates'
    order: 101
    triggeringLogic: {
      isEnabled: true
      triggersOn: 'Incidents'
      triggersWhen: 'Updated'
    }
    actions: [
      {
        order: 1
        actionType: 'RunPlaybook'
        actionConfiguration: {
          logicAppResourceId: forwarder.id
          tenantId: tenant().tenantId
        }
      }
    ]
  }
}

// The forwarder only reads what the trigger hands it.
resource forwarderReadsSentinel 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, forwarderPrincipalId, roles.sentinelReader)
  scope: workspace
  properties: {
    principalId: forwarderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.sentinelReader)
  }
}

// Argus writes engineers' changes back (status, owner, severity, classification, comments).
resource argusRespondsInSentinel 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, argusPrincipalId, roles.sentinelResponder)
  scope: workspace
  properties: {
    principalId: argusPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.sentinelResponder)
  }
}

// Argus runs approved playbooks through Sentinel's runPlaybook, which needs the playbooks' callback URLs.
resource argusRunsPlaybooks 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, argusPrincipalId, roles.logicAppContributor)
  properties: {
    principalId: argusPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.logicAppContributor)
  }
}

// Sentinel itself must be allowed to run playbooks in this resource group (automation rules).
resource sentinelRunsPlaybooks 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(sentinelServicePrincipalObjectId)) {
  name: guid(resourceGroup().id, sentinelServicePrincipalObjectId, roles.sentinelAutomationContributor)
  properties: {
    principalId: sentinelServicePrincipalObjectId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.sentinelAutomationContributor)
  }
}

output logicAppId string = forwarder.id
