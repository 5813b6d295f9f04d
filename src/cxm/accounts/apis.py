"""REST API of people and access: units, teams, positions, users, and API tokens."""

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from cxm.accounts.models import Position, Team, Unit, User
from cxm.accounts.roles import Capability


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "code", "parent", "description", "created_at", "updated_at"]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "unit", "lead", "created_at", "updated_at"]


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "name", "code", "unit", "default_role", "created_at", "updated_at"]


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, min_length=8)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "unit",
            "team",
            "position",
            "language",
            "digits",
            "is_active",
            "password",
        ]

    def create(self, validated_data: dict[str, Any]) -> User:
        password = validated_data.pop("password", None)
        user = User(**validated_data)
        user.set_password(password) if password else user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        return user

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        password = validated_data.pop("password", None)
        user = super().update(instance, validated_data)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user


class _PeopleViewSet(viewsets.ModelViewSet):
    write_capability = Capability.PEOPLE_MANAGE


class UnitViewSet(_PeopleViewSet):
    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_fields = ["parent", "code"]


class TeamViewSet(_PeopleViewSet):
    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    filterset_fields = ["unit"]


class PositionViewSet(_PeopleViewSet):
    queryset = Position.objects.all()
    serializer_class = PositionSerializer
    filterset_fields = ["unit", "default_role"]


class UserViewSet(_PeopleViewSet):
    queryset = User.objects.all().order_by("username")
    serializer_class = UserSerializer
    filterset_fields = ["role", "unit", "team", "position", "is_active"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class LoginThrottle(AnonRateThrottle):
    scope = "login"


class TokenObtainApi(ObtainAuthToken):
    """POST username and password, get `{"token": ...}` for the Authorization header."""

    throttle_classes = [LoginThrottle]
    permission_classes: list[Any] = []
