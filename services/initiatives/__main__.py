from .service import InitiativesSettings, build

build(InitiativesSettings()).main()
