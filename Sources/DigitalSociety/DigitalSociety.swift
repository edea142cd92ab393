// The umbrella module: one import for applications that want the whole pure SDK (every pure
// module; the adapters, the testing kit and the deployment are imported by name).
// The SDK's own modules never import it; they import exactly what they use.

@_exported public import SocietyAssistance
@_exported public import SocietyCertificates
@_exported public import SocietyChildcare
@_exported public import SocietyCommunity
@_exported public import SocietyCore
@_exported public import SocietyCultureSport
@_exported public import SocietyDisability
@_exported public import SocietyDraw
@_exported public import SocietyEducation
@_exported public import SocietyElderlyCare
@_exported public import SocietyEmployment
@_exported public import SocietyExchange
@_exported public import SocietyHealth
@_exported public import SocietyHousing
@_exported public import SocietyIndicators
@_exported public import SocietyJSON
@_exported public import SocietyMarketSupervision
@_exported public import SocietyMarketplace
@_exported public import SocietyOneCard
@_exported public import SocietyServices
@_exported public import SocietySynthetic
@_exported public import SocietyVeterans
