from rest_framework.routers import SimpleRouter

from cxm.channels.apis import ChannelViewSet

router = SimpleRouter()
router.register("channels", ChannelViewSet)
urlpatterns = router.urls
